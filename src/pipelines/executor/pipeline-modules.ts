/**
 * Worker side: imports a project's pipeline files (TypeScript compiled by jiti, `marketlake`
 * resolved to the running SDK, as the project loader does) and finds an asset among their
 * exports. Imported files stay cached in the warm worker until the file changes on disk or the
 * caller's `codeVersion` changes (a helper module edited alone is seen via `codeVersion`).
 */
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createJiti } from 'jiti';
import { sdkEntryPath } from '../../core/index.js';
import { PipelinesUnknownAssetError } from '../errors.js';
import { pipelineFiles } from '../loader/index.js';
import { collectDefinitions } from '../loader/collect-definitions.js';
import type { AssetDefinition } from '../sdk/asset.js';
import { compileCacheDir } from './compile-cache.js';

interface CachedModule {
  readonly key: string;
  readonly exports: unknown;
  /** Its assets by name, found on first lookup (a module can export thousands of definitions). */
  assets?: Map<string, AssetDefinition>;
}

function versionKey(file: string, codeVersion: string | undefined): string {
  const stat = statSync(file);
  return `${stat.mtimeMs}:${stat.size}:${codeVersion ?? ''}`;
}

function assetIn(module: CachedModule, name: string): AssetDefinition | undefined {
  if (module.assets === undefined) {
    module.assets = new Map();
    for (const found of collectDefinitions(module.exports)) {
      if (found.kind === 'asset' && !module.assets.has(found.definition.name))
        module.assets.set(found.definition.name, found.definition);
    }
  }
  return module.assets.get(name);
}

/**
 * Imports a module natively when it is JavaScript the runtime can load, through jiti otherwise
 * (a TypeScript source: the worker runs from sources under tests).
 */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    if (!/\.[cm]?ts$/.test(file)) throw error;
    return await createJiti(import.meta.url, { fsCache: compileCacheDir() }).import<
      Record<string, unknown>
    >(file);
  }
}

/** Pipeline modules loaded by one worker process. */
export class PipelineModules {
  private sdk: Promise<Record<string, unknown>> | undefined;
  private readonly cache = new Map<string, CachedModule>();

  /**
   * The SDK module that `import ... from 'marketlake'` receives: imported natively when this
   * worker runs built JavaScript, through jiti when it runs TypeScript sources (tests).
   */
  loadSdk(): Promise<Record<string, unknown>> {
    this.sdk ??= importModule(sdkEntryPath());
    return this.sdk;
  }

  /** Imports `file` (cached while unchanged). */
  async importFile(file: string, codeVersion: string | undefined): Promise<CachedModule> {
    const key = versionKey(file, codeVersion);
    const cached = this.cache.get(file);
    if (cached?.key === key) return cached;
    const sdk = await this.loadSdk();
    // The pool compiled the file into this cache already (see compile-cache.ts).
    const jiti = createJiti(pathToFileURL(file).href, {
      alias: { marketlake: sdkEntryPath() },
      virtualModules: { marketlake: sdk },
      moduleCache: false,
      fsCache: compileCacheDir(),
    });
    const module: CachedModule = { key, exports: await jiti.import(file) };
    this.cache.set(file, module);
    return module;
  }

  /**
   * The asset named `name`: looked up in `file` first, then in every pipeline file of the
   * project (an asset written by a helper is exported from a file other than its call site).
   */
  async findAsset(
    projectDir: string,
    file: string | undefined,
    name: string,
    codeVersion: string | undefined,
  ): Promise<AssetDefinition> {
    if (file !== undefined) {
      const found = assetIn(await this.importFile(file, codeVersion), name);
      if (found !== undefined) return found;
    }
    for (const candidate of pipelineFiles(projectDir)) {
      if (candidate === file) continue;
      let module: CachedModule;
      try {
        module = await this.importFile(candidate, codeVersion);
      } catch {
        continue; // a broken file elsewhere in the project is the loader's to report
      }
      const found = assetIn(module, name);
      if (found !== undefined) return found;
    }
    throw new PipelinesUnknownAssetError(
      `Asset "${name}" is not exported by ${file ?? `any pipeline file of ${projectDir}`}. ` +
        'Reload the project (the file may have changed since the run was planned).',
      { details: { asset: name, file, projectDir } },
    );
  }
}
