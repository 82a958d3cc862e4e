import type { Command } from 'commander';
import { describeConfig } from '../../core/index.js';
import { loadCliConfig, type GlobalFlags } from '../context.js';
import { formatOf, printJson, printRows } from '../output.js';

/** `marketlake config`: the effective configuration and where each value came from. */
export function configCommand(program: Command): void {
  program
    .command('config')
    .description(
      'print the effective configuration and the source of each value (secrets redacted)',
    )
    .option('--json', 'one JSON document')
    .option('--csv', 'CSV')
    .addHelpText(
      'after',
      `
Precedence: defaults < marketlake.config.ts < MARKETLAKE_* environment variables < flags.

Examples:
  $ marketlake config
  $ MARKETLAKE_PORT=8080 marketlake config --json
  $ marketlake --project ~/market config`,
    )
    .action(async (opts: { json?: boolean; csv?: boolean }, cmd: Command) => {
      const loaded = await loadCliConfig(cmd.optsWithGlobals<GlobalFlags>());
      const rows = describeConfig(loaded);
      if (opts.json) printJson({ file: loaded.file ?? null, values: rows });
      else {
        if (!opts.csv) process.stdout.write(`config file: ${loaded.file ?? '(none: defaults)'}\n`);
        printRows(formatOf(opts), rows, ['key', 'value', 'source']);
      }
    });
}
