/**
 * The lake factory the platform gives its attempt workers: each worker process opens the lake
 * (and its own connection to the metadata database) once, on first use, and keeps it for every
 * later attempt. The parent says where everything is through MARKETLAKE_WORKER_LAKE (JSON), which
 * forked workers inherit.
 */
import type { LakeFactoryInput, LakeLease } from '../executor/index.js';
import type { CommitGuard, Lake } from '../../lake/index.js';
import type { MetaDialect } from '../../meta/index.js';
import { checkAttemptLease } from '../runs/attempt-leases.js';

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
  /**
   * Id of the worker whose leases guard the commits: each write or import of an attempt commits
   * only while that worker still holds the attempt's lease (a zombie cannot commit).
   */
  readonly workerId?: string;
}

/** Environment variable carrying `WorkerLakeSettings` to workers. */
export const WORKER_LAKE_ENV = 'MARKETLAKE_WORKER_LAKE';

// By settings: one lake per worker process in practice (tests open several in one process).
const opened = new Map<string, Promise<{ lake: Lake; dialect: MetaDialect }>>();

async function openLake(
  settings: WorkerLakeSettings,
): Promise<{ lake: Lake; dialect: MetaDialect }> {
  const [{ openMetaStore }, { Lake: LakeClass }] = await Promise.all([
    import('../../meta/index.js'),
    import('../../lake/index.js'),
  ]);
  const store = await openMetaStore(settings.databaseUrl, { migrate: false });
  const lake = await LakeClass.open({
    store,
    root: settings.lakePath,
    tempDir: settings.tempDir,
    memoryLimit: settings.memoryLimit,
    threads: 1,
  });
  return { lake, dialect: store.dialect };
}

/** Methods whose last argument is options that accept a commit guard. */
const GUARDED: Readonly<Record<string, number>> = { write: 2, import: 2 };

/**
 * A stand-in for the lake that opens it on the first call, so an attempt that never touches
 * `ctx.lake` does not pay DuckDB's memory (which its peak RSS would otherwise show). Every Lake
 * method is async, so each can wait for the opening.
 */
function lazyLake(settings: WorkerLakeSettings, attemptId: string): Lake {
  const target = {} as Lake;
  return new Proxy(target, {
    get(_target, prop) {
      if (prop === 'root') return settings.lakePath;
      if (prop === 'then' || typeof prop === 'symbol') return undefined;
      return async (...args: unknown[]) => {
        const key = `${settings.databaseUrl}\n${settings.lakePath}`;
        let opening = opened.get(key);
        if (opening === undefined) {
          opening = openLake(settings);
          opened.set(key, opening);
        }
        const { lake, dialect } = await opening;
        const methods = lake as unknown as Record<string, (...a: unknown[]) => unknown>;
        const method = methods[prop];
        if (typeof method !== 'function') return method;
        const at = GUARDED[prop];
        const workerId = settings.workerId;
        if (at !== undefined && workerId !== undefined) {
          const options = (args[at] ?? {}) as Record<string, unknown>;
          const commitGuard: CommitGuard = (trx) =>
            checkAttemptLease(trx, dialect, attemptId, workerId, Date.now());
          args[at] = { writer: attemptId, ...options, commitGuard };
        }
        return method.apply(lake, args);
      };
    },
  });
}

/** Lake factory export: the worker's shared lake; release keeps it open for the next attempt. */
export function createLake(input: LakeFactoryInput): LakeLease {
  const raw = process.env[WORKER_LAKE_ENV];
  if (raw === undefined) {
    throw new Error(
      `${WORKER_LAKE_ENV} is not set in this attempt worker, so asset "${input.asset}" has no lake.`,
    );
  }
  return { lake: lazyLake(JSON.parse(raw) as WorkerLakeSettings, input.attemptId) };
}
