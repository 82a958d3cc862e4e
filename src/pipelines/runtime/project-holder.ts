/**
 * The project the platform serves right now: the last load of its pipeline files, indexed for the
 * runtime (assets by name, the file exporting each), with a code version that changes on every
 * reload so warm workers re-import changed files. Reloads on change when watching.
 */
import path from 'node:path';
import { newSortableId, type Logger } from '../../core/index.js';
import {
  loadProject,
  watchProject,
  type LoadedProject,
  type ProjectWatcher,
} from '../loader/index.js';
import { MultiPartitions } from '../partitions/index.js';
import type { AssetDefinition } from '../sdk/asset.js';

/** One load of the project, indexed. */
export interface ProjectSnapshot {
  readonly projectDir: string;
  readonly loaded: LoadedProject;
  readonly assets: ReadonlyMap<string, AssetDefinition>;
  /** Absolute pipeline file where each asset is written, when it is a pipeline file. */
  readonly files: ReadonlyMap<string, string>;
  /** Token that changes on every reload. */
  readonly codeVersion: string;
  /** Parts of a multi-dimensional partition key by dimension, else undefined. */
  partitionParts(asset: AssetDefinition, key: string | null): Record<string, string> | undefined;
}

function snapshotOf(loaded: LoadedProject): ProjectSnapshot {
  const pipelineFiles = new Set(loaded.files);
  const files = new Map<string, string>();
  for (const asset of loaded.assets) {
    const at = loaded.locations.get(`asset:${asset.name}`);
    if (at !== undefined && pipelineFiles.has(at.file))
      files.set(asset.name, path.join(loaded.projectDir, at.file));
  }
  return {
    projectDir: loaded.projectDir,
    loaded,
    assets: new Map(loaded.assets.map((a) => [a.name, a])),
    files,
    codeVersion: newSortableId('code_'),
    partitionParts(asset, key) {
      if (key === null || !(asset.partitions instanceof MultiPartitions)) return undefined;
      return asset.partitions.partsOf(key);
    },
  };
}

/** Holds the current snapshot and reloads it. */
export class ProjectHolder {
  #snapshot: ProjectSnapshot;
  #watcher: ProjectWatcher | undefined;
  readonly #listeners: ((s: ProjectSnapshot) => void)[] = [];

  private constructor(snapshot: ProjectSnapshot) {
    this.#snapshot = snapshot;
  }

  /** Loads `projectDir` (bad files become diagnostics; this never throws for them). */
  static async load(projectDir: string): Promise<ProjectHolder> {
    return new ProjectHolder(snapshotOf(await loadProject(projectDir)));
  }

  /** A holder over an already loaded project (tests, benchmarks). */
  static of(loaded: LoadedProject): ProjectHolder {
    return new ProjectHolder(snapshotOf(loaded));
  }

  /** The current snapshot. */
  current(): ProjectSnapshot {
    return this.#snapshot;
  }

  /** Calls `listener` after every reload. */
  onReload(listener: (s: ProjectSnapshot) => void): void {
    this.#listeners.push(listener);
  }

  /** Loads the project again now. */
  async reload(): Promise<ProjectSnapshot> {
    this.#set(await loadProject(this.#snapshot.projectDir));
    return this.#snapshot;
  }

  /** Reloads when pipeline files change, logging what the reload found. */
  watch(logger: Logger): void {
    this.#watcher ??= watchProject(
      this.#snapshot.projectDir,
      (loaded) => {
        this.#set(loaded);
        logger.info(
          { assets: loaded.assets.length, problems: loaded.diagnostics.length },
          'pipelines reloaded',
        );
        for (const d of loaded.diagnostics)
          logger.warn(`${d.file}:${d.line}: ${d.message} Fix: ${d.fix}`);
      },
      { onError: (err) => logger.error({ err }, 'reloading pipelines failed') },
    );
  }

  /** Stops watching. */
  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #set(loaded: LoadedProject): void {
    this.#snapshot = snapshotOf(loaded);
    for (const l of this.#listeners) l(this.#snapshot);
  }
}
