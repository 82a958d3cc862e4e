import { CommanderError } from 'commander';
import { MarketlakeError, UsageError } from '../core/index.js';
import { buildProgram } from './program.js';

/** Exit statuses: 0 ok, 1 failure, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Runs the CLI with `argv` and returns the exit status (never throws). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  program.commands.forEach(function override(c): void {
    c.exitOverride();
    c.commands.forEach(override);
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
        return EXIT_OK;
      // `marketlake help` asks for help (exit 0); `marketlake lake` without a subcommand is a usage error.
      if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof MarketlakeError) {
      process.stderr.write(`error [${err.code}]: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    process.stderr.write(
      `error: ${err instanceof Error ? (process.env['MARKETLAKE_DEBUG'] ? err.stack : err.message) : String(err)}\n`,
    );
    return EXIT_FAILURE;
  }
}

// A reader that stops early (`marketlake lake query ... | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT_OK);
  throw err;
});

// Runs when executed as the CLI entry (bin/marketlake.js imports this module).
const status = await runCli(process.argv.slice(2));
// A command that ran but reports failure (`run --wait` of a failed run) has set exitCode itself.
if (status !== EXIT_OK || process.exitCode === undefined) process.exitCode = status;
