/**
 * The lake factory the platform gives its attempt workers: each worker process opens the lake
 * (and its own connection to the metadata database) once, on first use, and keeps it for every
 * later attempt. The parent says where everything is through MARKETLAKE_WORKER_LAKE (JSON), which
 * forked workers inherit.
 */
import type { LakeFactoryInput, LakeLease } from '../executor/index.js';
import type { Lake } from '../../lake/index.js';

/** What the parent puts in MARKETLAKE_WORKER_LAKE. */
export interface WorkerLakeSettings {
  /** Metadata database URL. */
  readonly databaseUrl: string;
  /** Lake root. */
  readonly lakePath: string;
  /** DuckDB spill folder. */
  readonly tempDir: string;
  /** DuckDB memory limit of each worker's lake (e.g. '512MB'). */
  readonly memoryLimit: string;
}

/** Environment variable carrying `WorkerLakeSettings` to workers. */
export const WORKER_LAKE_ENV = 'MARKETLAKE_WORKER_LAKE';

let opened: Promise<Lake> | undefined;

async function openLake(settings: WorkerLakeSettings): Promise<Lake> {
  const [{ openMetaStore }, { Lake: LakeClass }] = await Promise.all([
    import('../../meta/index.js'),
    import('../../lake/index.js'),
  ]);
  const store = await openMetaStore(settings.databaseUrl, { migrate: false });
  return LakeClass.open({
    store,
    root: settings.lakePath,
    tempDir: settings.tempDir,
    memoryLimit: settings.memoryLimit,
    threads: 1,
  });
}

/** Lake factory export: the worker's shared lake; release keeps it open for the next attempt. */
export async function createLake(input: LakeFactoryInput): Promise<LakeLease> {
  const raw = process.env[WORKER_LAKE_ENV];
  if (raw === undefined) {
    throw new Error(
      `${WORKER_LAKE_ENV} is not set in this attempt worker, so asset "${input.asset}" has no lake.`,
    );
  }
  const settings = JSON.parse(raw) as WorkerLakeSettings;
  opened ??= openLake(settings);
  return { lake: await opened };
}
