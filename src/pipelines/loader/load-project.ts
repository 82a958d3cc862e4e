/**
 * Loads a project's pipeline files (`<project>/pipelines/*.ts`, `.mts`, `.js`, `.mjs`),
 * compiling TypeScript on the fly with jiti, and returns the definitions that are fine plus a
 * diagnostic for each problem. It never throws for a bad file: the platform starts anyway and
 * serves the rest.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createJiti } from 'jiti';
import { sdkEntryPath } from '../../core/index.js';
import type { AssetDefinition } from '../sdk/asset.js';
import type { ScheduleDefinition } from '../sdk/schedule.js';
import type { SensorDefinition } from '../sdk/sensor.js';
import { checkProject, type Located } from './check-project.js';
import { collectDefinitions, type FoundDefinition } from './collect-definitions.js';
import {
  relativeFile,
  sortDiagnostics,
  type Diagnostic,
  type DiagnosticLocation,
} from './diagnostics.js';
import { loadErrorDiagnostic } from './load-error.js';

/** Folder of pipeline files inside a project. */
export const PIPELINES_DIR = 'pipelines';

const LOADABLE = /\.(ts|mts|cts|js|mjs|cjs)$/;
// Declarations, tests and files starting with '_' or '.' (helpers, editor temp files) are skipped.
const SKIPPED = /(\.d\.[cm]?ts|\.(test|spec)\.[cm]?[jt]s)$|^[_.]/;

/** What `loadProject` found. */
export interface LoadedProject {
  /** Absolute project folder. */
  readonly projectDir: string;
  /** Pipeline files considered, relative to the project ('pipelines/bars.ts'), sorted. */
  readonly files: readonly string[];
  /** Assets served, in load order. */
  readonly assets: readonly AssetDefinition[];
  /** Schedules served. */
  readonly schedules: readonly ScheduleDefinition[];
  /** Sensors served. */
  readonly sensors: readonly SensorDefinition[];
  /** Where each served definition was written, by `kind:name` ('asset:daily_bars'). */
  readonly locations: ReadonlyMap<string, DiagnosticLocation>;
  /** Every problem found, sorted by file and line. */
  readonly diagnostics: readonly Diagnostic[];
}

/** The pipeline files of a project folder, absolute and sorted. */
export function pipelineFiles(projectDir: string): string[] {
  const dir = path.join(projectDir, PIPELINES_DIR);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && LOADABLE.test(entry.name) && !SKIPPED.test(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

let hostSdk: Promise<Record<string, unknown> | undefined> | undefined;

/**
 * The SDK module this process already runs, handed to jiti as the `marketlake` module so pipeline
 * files share it instead of compiling a second copy per file. Undefined when it cannot be
 * imported here; then the jiti alias to the same entry file is used.
 */
function loadHostSdk(): Promise<Record<string, unknown> | undefined> {
  hostSdk ??= import(pathToFileURL(sdkEntryPath()).href).then(
    (module: Record<string, unknown>) => module,
    () => undefined,
  );
  return hostSdk;
}

/** Line of a definition written in `file`, or a number that sorts last when written elsewhere. */
function lineIn(file: string, found: FoundDefinition): number {
  const source = found.definition.source;
  return source !== undefined && source.file === file ? source.line : Number.MAX_SAFE_INTEGER;
}

/** Location of a definition: its call site when that is in the project, else the file exporting it. */
function locate(
  projectDir: string,
  moduleFile: string,
  source: { file: string; line: number } | undefined,
): DiagnosticLocation {
  if (source !== undefined && !path.relative(projectDir, source.file).startsWith('..')) {
    return { file: relativeFile(projectDir, source.file), line: source.line };
  }
  return { file: relativeFile(projectDir, moduleFile), line: 1 };
}

/**
 * Drops definitions that one pipeline file re-exports from another. With the module cache off
 * (so edits reload) the imported file is evaluated again and yields a second, equal definition;
 * it is the same one when the file that wrote it also exported it from the same line.
 */
function withoutReexports<T extends { moduleFile: string; item: FoundDefinition }>(
  found: T[],
): T[] {
  const own = new Set<string>();
  const keyOf = (entry: T, file: string): string => {
    const { kind, definition } = entry.item;
    return `${file}\n${kind}:${definition.name}:${definition.source?.line ?? 0}`;
  };
  for (const entry of found) {
    if (entry.item.definition.source?.file === entry.moduleFile)
      own.add(keyOf(entry, entry.moduleFile));
  }
  return found.filter((entry) => {
    const source = entry.item.definition.source;
    return (
      source === undefined ||
      source.file === entry.moduleFile ||
      !own.has(keyOf(entry, source.file))
    );
  });
}

/** Loads every pipeline file of `projectDir`; never throws for problems in the files. */
export async function loadProject(projectDir: string): Promise<LoadedProject> {
  const root = path.resolve(projectDir);
  const diagnostics: Diagnostic[] = [];
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    diagnostics.push({
      code: 'PIPELINES_LOAD_FAILED',
      severity: 'error',
      file: root,
      line: 1,
      message: `Project folder ${root} does not exist.`,
      fix: 'Pass --project <dir> with a folder that holds marketlake.config.ts and a pipelines/ folder.',
    });
    return {
      projectDir: root,
      files: [],
      assets: [],
      schedules: [],
      sensors: [],
      locations: new Map(),
      diagnostics,
    };
  }
  const files = pipelineFiles(root);
  const sdk = files.length > 0 ? await loadHostSdk() : undefined;
  const jiti = createJiti(import.meta.url, {
    alias: { marketlake: sdkEntryPath() },
    ...(sdk === undefined ? {} : { virtualModules: { marketlake: sdk } }),
    moduleCache: false,
    fsCache: false,
  });
  const seen = new Set<unknown>();
  const found: { moduleFile: string; item: FoundDefinition }[] = [];
  for (const file of files) {
    try {
      const moduleExports = await jiti.import(file);
      // Export names come sorted alphabetically; report definitions in the order they were written.
      const items = collectDefinitions(moduleExports, seen).sort(
        (a, b) => lineIn(file, a) - lineIn(file, b),
      );
      for (const item of items) found.push({ moduleFile: file, item });
    } catch (error) {
      diagnostics.push(loadErrorDiagnostic(root, file, error));
    }
  }
  const assets: Located<AssetDefinition>[] = [];
  const schedules: Located<ScheduleDefinition>[] = [];
  const sensors: Located<SensorDefinition>[] = [];
  for (const { moduleFile, item } of withoutReexports(found)) {
    const at = locate(root, moduleFile, item.definition.source);
    if (item.kind === 'asset') assets.push({ definition: item.definition, at });
    else if (item.kind === 'schedule') schedules.push({ definition: item.definition, at });
    else sensors.push({ definition: item.definition, at });
  }
  const checked = checkProject(assets, schedules, sensors);
  const locations = new Map<string, DiagnosticLocation>();
  for (const a of checked.assets) locations.set(`asset:${a.definition.name}`, a.at);
  for (const s of checked.schedules) locations.set(`schedule:${s.definition.name}`, s.at);
  for (const s of checked.sensors) locations.set(`sensor:${s.definition.name}`, s.at);
  return {
    projectDir: root,
    files: files.map((file) => relativeFile(root, file)),
    assets: checked.assets.map((a) => a.definition),
    schedules: checked.schedules.map((s) => s.definition),
    sensors: checked.sensors.map((s) => s.definition),
    locations,
    diagnostics: sortDiagnostics([...diagnostics, ...checked.diagnostics]),
  };
}
