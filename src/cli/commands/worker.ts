import type { Command } from 'commander';
import { version } from '../../core/index.js';
import { loadCliConfig, openContext, type GlobalFlags } from '../context.js';
import { parseInteger } from '../parse.js';
import { collectPipelineGauges, metricsHooks } from '../metrics-hooks.js';
import { openObservers } from '../platform-observers.js';
import { startPlatformRuntime } from '../platform-runtime.js';

/** `marketlake worker`: runs attempts claimed from the shared metadata database (cluster mode). */
export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'run attempts from the shared metadata database (cluster mode; any number of machines)',
    )
    .option('--slots <n>', 'attempts at once (MARKETLAKE_WORKER_SLOTS; default one per core)')
    .option('--metrics-port <port>', "serve this worker's /metrics on this port")
    .addHelpText(
      'after',
      `
Every worker must see the same lake folder (an NFS mount) and metadata database.
Stops on SIGINT/SIGTERM: running attempts get 10 s to finish, then are killed and retried elsewhere.

Examples:
  $ marketlake worker --slots 4 --metrics-port 9464
  $ MARKETLAKE_DATABASE_URL=postgres://postgres@db:5432/marketlake marketlake worker --slots 4`,
    )
    .action(async (opts: { slots?: string; metricsPort?: string }, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalFlags>();
      const slots = opts.slots === undefined ? undefined : parseInteger(opts.slots, '--slots', 1);
      const metricsPort =
        opts.metricsPort === undefined
          ? undefined
          : parseInteger(opts.metricsPort, '--metrics-port', 0);
      const loaded = await loadCliConfig(flags);
      const ctx = await openContext(flags, loaded);
      const { createMetrics, startMetricsServer } = await import('../../observe/index.js');
      const registry = createMetrics({ logger: ctx.logger });
      const { combineHooks } = await import('../../pipelines/index.js');
      // Set once the runtime runs; the observers' hooks read the project through it.
      let started: Awaited<ReturnType<typeof startPlatformRuntime>> | undefined = undefined;
      const observers = await openObservers(ctx, 'marketlake-worker', () => started);
      const runtime = await startPlatformRuntime(loaded, ctx, 'worker', {
        slots,
        hooks: combineHooks(metricsHooks(registry), observers.hooks),
      }).catch(async (err: unknown) => {
        await ctx.close();
        throw err;
      });
      started = runtime;
      let metrics: { url: string; close(): Promise<void> } | undefined;
      if (metricsPort !== undefined) {
        collectPipelineGauges(registry, ctx.store, runtime);
        metrics = await startMetricsServer({
          port: metricsPort,
          metrics: registry,
        });
      }
      process.stdout.write(
        [
          `marketlake ${version} worker ${runtime.workerId ?? ''} is running (${runtime.executorStats()?.slots ?? 0} slots)`,
          `  metadata: ${ctx.store.description}`,
          `  lake:     ${loaded.config.lakePath}`,
          ...(metrics ? [`  metrics:  ${metrics.url}/metrics`] : []),
          ...observers.lines,
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          void (async () => {
            try {
              await runtime.stop();
              await observers.close();
              await metrics?.close();
            } finally {
              await ctx.close();
              resolve();
            }
          })();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
