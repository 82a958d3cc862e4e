/**
 * Starts the pipelines runtime of a platform process (`up` with its role, `worker`), on the home
 * `ctx` has open: the project (watched for changes), the roles, and the datasets the project's
 * assets declare.
 */
import type { LoadedConfig } from '../core/index.js';
import type { PipelinesRuntime, RuntimeHooks } from '../pipelines/index.js';
import { createDeclaredDatasets } from './declared-datasets.js';
import type { CliContext } from './context.js';
import { runtimeOptions } from './pipelines-context.js';

/** Which parts of the platform a process runs. */
export type PlatformRole = 'all' | 'api' | 'scheduler' | 'worker';

/** The roles `up --role` accepts. */
export const UP_ROLES: readonly PlatformRole[] = ['all', 'api', 'scheduler'];

/** Starts the runtime for `role`. */
export async function startPlatformRuntime(
  loaded: LoadedConfig,
  ctx: CliContext,
  role: PlatformRole,
  options: { slots?: number; hooks?: RuntimeHooks } = {},
): Promise<PipelinesRuntime> {
  const { PipelinesRuntime, ProjectHolder, RunStore } = await import('../pipelines/index.js');
  const store = new RunStore(ctx.store, { leaseMs: loaded.config.attemptLeaseMs });
  const project = await ProjectHolder.load(loaded.config.project);
  const snapshot = project.current();
  for (const d of snapshot.loaded.diagnostics)
    ctx.logger.warn(`${d.file}:${d.line}: ${d.message} Fix: ${d.fix}`);
  await createDeclaredDatasets(ctx, snapshot);
  project.onReload((next) => void createDeclaredDatasets(ctx, next));
  project.watch(ctx.logger);
  const c = loaded.config;
  const worker =
    role === 'all' || role === 'worker'
      ? { slots: options.slots ?? c.workerSlots, pools: c.pools }
      : undefined;
  const scheduler =
    role === 'all' || role === 'scheduler' ? { runRetentionDays: c.runRetentionDays } : undefined;
  return PipelinesRuntime.start({
    ...runtimeOptions(loaded, ctx, store, project),
    worker,
    scheduler,
    checksLake: ctx.lake,
    hooks: options.hooks,
  });
}
