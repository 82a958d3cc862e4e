/**
 * What the pipeline commands share: the open home, the project's definitions, the run store, and
 * how a run gets executed. With a platform running on the same metadata database (a live worker
 * heartbeat), commands only submit and follow; without one, `--wait` runs the attempts in the
 * CLI's own process tree.
 */
import path from 'node:path';
import type { LoadedConfig } from '../core/index.js';
import type { PipelinesRuntime, RunStore, RunView, RuntimeOptions } from '../pipelines/index.js';
import { openContext, type CliContext, type GlobalFlags } from './context.js';
import { createDeclaredDatasets } from './declared-datasets.js';

/** An open home with its pipelines. */
export interface PipelinesCli {
  readonly ctx: CliContext;
  /** A runtime with no roles: submits, cancels, retries. */
  readonly runtime: PipelinesRuntime;
  readonly store: RunStore;
  /** Whether a worker elsewhere (`marketlake up`, `marketlake worker`) is alive. */
  platformAlive(): Promise<boolean>;
  /** Waits for the runs in order, executing them here when no platform runs them. */
  follow(
    runIds: readonly string[],
    onEach?: (run: RunView) => void | Promise<void>,
  ): Promise<RunView[]>;
}

/** Runtime options of the configured home (roles left to the caller). */
export function runtimeOptions(
  loaded: LoadedConfig,
  ctx: CliContext,
  store: RunStore,
  project: RuntimeOptions['project'],
): RuntimeOptions {
  const c = loaded.config;
  return {
    store,
    project,
    logger: ctx.logger,
    secrets: c.secrets,
    lake: {
      databaseUrl: c.databaseUrl,
      lakePath: c.lakePath,
      tempDir: path.join(c.home, 'tmp', 'duckdb'),
      memoryLimit: c.duckdbMemoryLimit,
    },
  };
}

/** Runs `fn` with the home and project of `flags` open, closing everything after. */
export async function withPipelines<T>(
  flags: GlobalFlags,
  fn: (p: PipelinesCli) => Promise<T>,
): Promise<T> {
  const ctx = await openContext(flags);
  const { PipelinesRuntime, ProjectHolder, RunStore } = await import('../pipelines/index.js');
  try {
    const store = new RunStore(ctx.store, { leaseMs: ctx.loaded.config.attemptLeaseMs });
    const project = await ProjectHolder.load(ctx.loaded.config.project);
    const options = runtimeOptions(ctx.loaded, ctx, store, project);
    const runtime = await PipelinesRuntime.start(options);
    const platformAlive = async (): Promise<boolean> => {
      const now = Date.now();
      const workers = await store.listWorkers();
      return workers.some((w) => now - Number(w.heartbeatAtMs) < 2 * store.config.leaseMs);
    };
    const follow: PipelinesCli['follow'] = async (runIds, onEach) => {
      const c = ctx.loaded.config;
      const alive = await platformAlive();
      if (!alive) await createDeclaredDatasets(ctx, project.current());
      const local = alive
        ? undefined
        : await PipelinesRuntime.start({
            ...options,
            worker: { slots: c.workerSlots, pools: c.pools, pollMs: 50 },
          });
      try {
        const done: RunView[] = [];
        for (const id of runIds) {
          const run = await (local ?? runtime).waitForRun(id, 50);
          done.push(run);
          await onEach?.(run);
        }
        return done;
      } finally {
        await local?.stop();
      }
    };
    return await fn({ ctx, runtime, store, platformAlive, follow });
  } finally {
    await ctx.close();
  }
}
