import type { Command } from 'commander';
import { messageOf, version } from '../../core/index.js';
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
    .action(async (opts: { port?: string; host?: string }, cmd: Command) => {
      const flags = { ...cmd.optsWithGlobals<GlobalFlags>(), ...opts };
      const loaded = await loadCliConfig(flags);
      const ctx = await openContext(flags, loaded);
      const { config } = loaded;
      const startedAt = new Date();
      const { createServer } = await import('../../api/index.js');
      const app = createServer({
        config,
        store: ctx.store,
        lake: ctx.lake,
        logger: ctx.logger,
        startedAt,
      });
      try {
        // A writer killed mid-commit leaves staging and uncommitted files; nothing reads them, so clean them now.
        const cleaned = await ctx.lake.vacuum();
        const orphans = Object.values(cleaned).reduce(
          (s, r) => s + r.orphansRemoved + r.stagingRemoved,
          0,
        );
        if (orphans > 0) ctx.logger.warn({ orphans }, 'removed files left by an interrupted write');
        await app.listen({ port: config.port, host: config.host });
      } catch (err) {
        await app.close();
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
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      process.stdout.write(
        [
          `marketlake ${version} is up (${ctx.store.dialect === 'sqlite' ? 'embedded' : 'cluster'} mode)`,
          `  url:      ${url}`,
          `  health:   ${url}/api/health`,
          `  project:  ${config.project}`,
          `  home:     ${config.home}`,
          `  lake:     ${config.lakePath}`,
          `  metadata: ${ctx.store.description}`,
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
              await app.close();
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
