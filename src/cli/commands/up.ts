import type { Command } from 'commander';
import { messageOf, UsageError, version } from '../../core/index.js';
import type { PipelinesRuntime, PlatformAlerts } from '../../pipelines/index.js';
import { alertHooks } from '../alert-hooks.js';
import { startDemoFeed, type DemoFeedHandle } from '../demo-feed.js';
import { collectPipelineGauges, metricsHooks } from '../metrics-hooks.js';
import { openObservers, type PlatformObservers } from '../platform-observers.js';
import { httpTraceSampleEvery } from '../tracing-hooks.js';
import { startPlatformRuntime, UP_ROLES, type PlatformRole } from '../platform-runtime.js';
import { loadCliConfig, openContext, type GlobalFlags } from '../context.js';
import { CliListenFailedError, CliPortInUseError } from '../errors.js';

/** `marketlake up`: the platform (API, lake; scheduler and workers as they land) in one process. */
export function upCommand(program: Command): void {
  program
    .command('up')
    .description(
      'start the platform: HTTP API and UI on 127.0.0.1:7420, with the project in --project',
    )
    .option('--port <port>', 'port to listen on (MARKETLAKE_PORT; default 7420)')
    .option('--host <host>', 'interface to listen on (MARKETLAKE_HOST; default 127.0.0.1)')
    .option(
      '--role <role>',
      'all (default: API, scheduler and workers in one process), api, or scheduler (cluster mode; run `marketlake worker` for attempts)',
      'all',
    )
    .addHelpText(
      'after',
      `
Stops cleanly on Ctrl-C (SIGINT) or SIGTERM: in-flight requests finish, DuckDB and the database
are closed, and the exit status is 0.

Examples:
  $ marketlake up
  $ marketlake up --project examples/demo --port 8080
  $ MARKETLAKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/marketlake marketlake up`,
    )
    .action(async (opts: { port?: string; host?: string; role: string }, cmd: Command) => {
      if (!UP_ROLES.includes(opts.role as PlatformRole))
        throw new UsageError(`--role must be one of ${UP_ROLES.join(', ')}, got "${opts.role}".`);
      const role = opts.role as PlatformRole;
      const flags = { ...cmd.optsWithGlobals<GlobalFlags>(), port: opts.port, host: opts.host };
      const loaded = await loadCliConfig(flags);
      const ctx = await openContext(flags, loaded);
      const { config } = loaded;
      const startedAt = new Date();
      const { createServer } = await import('../../api/index.js');
      let pipelines: PipelinesRuntime | undefined;
      let demo: DemoFeedHandle | undefined;
      let alerts: PlatformAlerts | undefined;
      let observers: PlatformObservers | undefined;
      let app: ReturnType<typeof createServer> | undefined;
      try {
        const { createMetrics } = await import('../../observe/index.js');
        const metrics = createMetrics({ logger: ctx.logger });
        const { combineHooks, createPlatformAlerts } = await import('../../pipelines/index.js');
        observers = await openObservers(ctx, 'marketlake', () => pipelines);
        pipelines = await startPlatformRuntime(loaded, ctx, role, {
          hooks: combineHooks(
            metricsHooks(metrics),
            alertHooks(() => alerts?.manager),
            observers.hooks,
          ),
        });
        collectPipelineGauges(metrics, ctx.store, pipelines);
        if (role !== 'api') {
          const rt = pipelines;
          alerts = createPlatformAlerts({
            meta: ctx.store,
            lake: ctx.lake,
            project: () => rt.project.current(),
            logger: ctx.logger,
            env: process.env,
            secrets: config.secrets,
            attemptLeaseMs: config.attemptLeaseMs,
            // In a cluster only the active scheduler evaluates, so nothing is told twice.
            active: () => rt.isScheduler,
          });
          alerts.manager.start();
        }
        demo = role === 'api' ? undefined : await startDemoFeed(config, ctx.logger);
        app = createServer({
          config,
          store: ctx.store,
          lake: ctx.lake,
          logger: ctx.logger,
          startedAt,
          pipelines,
          metrics,
          tracing: observers.tracing,
          httpTraceSampleEvery: httpTraceSampleEvery(process.env),
        });
        // A writer killed mid-commit leaves staging and uncommitted files; nothing reads them, so clean them now.
        const cleaned = await ctx.lake.vacuum();
        const orphans = Object.values(cleaned).reduce(
          (s, r) => s + r.orphansRemoved + r.stagingRemoved,
          0,
        );
        if (orphans > 0) ctx.logger.warn({ orphans }, 'removed files left by an interrupted write');
        await app.listen({ port: config.port, host: config.host });
      } catch (err) {
        await app?.close();
        await demo?.stop();
        await alerts?.manager.stop();
        await pipelines?.stop();
        await observers?.close();
        await ctx.close();
        const details = { host: config.host, port: config.port };
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new CliPortInUseError(
            `Port ${config.port} on ${config.host} is in use (another marketlake?). Stop that process, or pick another port with --port or MARKETLAKE_PORT.`,
            { cause: err, details },
          );
        }
        if (
          (err as NodeJS.ErrnoException).code !== undefined &&
          (err as NodeJS.ErrnoException).syscall !== undefined
        ) {
          throw new CliListenFailedError(
            `Cannot listen on ${config.host}:${config.port}: ${messageOf(err)}. Check --host/MARKETLAKE_HOST (an address of this machine) and --port (ports below 1024 need privileges).`,
            { cause: err, details },
          );
        }
        throw err;
      }
      const server = app;
      const runtime = pipelines;
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      process.stdout.write(
        [
          `marketlake ${version} is up (${ctx.store.dialect === 'sqlite' ? 'embedded' : 'cluster'} mode, role ${role})`,
          `  url:      ${url}`,
          `  health:   ${url}/api/health`,
          `  project:  ${config.project}`,
          `  home:     ${config.home}`,
          `  lake:     ${config.lakePath}`,
          `  metadata: ${ctx.store.description}`,
          `  pipelines: ${runtime.project.current().loaded.assets.length} assets, ${runtime.project.current().loaded.diagnostics.length} problems (marketlake assets)`,
          ...(demo ? [`  demo:     ${demo.description}`] : []),
          ...(observers?.lines ?? []),
          ...(alerts
            ? [
                `  alerts:   ${
                  alerts.notifiers.length > 0
                    ? alerts.notifiers.map((n) => `${n.name} ${n.target}`).join(', ')
                    : 'no notifier (set MARKETLAKE_ALERT_WEBHOOK_URL, _SLACK_URL or _SMTP_URL)'
                } (marketlake alerts)`,
              ]
            : []),
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) return;
          stopping = true;
          process.stdout.write(`\n${signal}: stopping...\n`);
          void (async () => {
            try {
              await server.close();
              await demo?.stop();
              await alerts?.manager.stop();
              await runtime.stop();
              await observers?.close();
            } finally {
              await ctx.close();
              process.stdout.write('marketlake stopped.\n');
              resolve();
            }
          })();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
