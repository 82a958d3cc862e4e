import type { Command } from 'commander';
import { withContext, type GlobalFlags } from '../context.js';
import { formatOf, printRows } from '../output.js';
import { parseInteger } from '../parse.js';

/** `marketlake quarantine`: rows imports could not accept, with file, line and reason. */
export function quarantineCommand(program: Command): void {
  program
    .command('quarantine')
    .description('list quarantined rows (file, line, raw text, reason)')
    .option('--dataset <name>', 'only this dataset')
    .option('--import <id>', 'only this import')
    .option('--limit <n>', 'at most n rows', '1000')
    .option('--after <id>', 'rows after this id (pagination)')
    .option('--json', 'one JSON document')
    .option('--csv', 'CSV')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake quarantine --dataset bars_1d
  $ marketlake quarantine --import imp_0mwwgpt2j3b8 --csv > bad-rows.csv`,
    )
    .action(
      async (
        opts: {
          dataset?: string;
          import?: string;
          limit: string;
          after?: string;
          json?: boolean;
          csv?: boolean;
        },
        cmd: Command,
      ) => {
        const limit = parseInteger(opts.limit, '--limit', 1);
        const afterId =
          opts.after === undefined ? undefined : parseInteger(opts.after, '--after', 0);
        await withContext(cmd.optsWithGlobals<GlobalFlags>(), async ({ lake }) => {
          const rows = await lake.quarantine({
            dataset: opts.dataset,
            importId: opts.import,
            limit,
            afterId,
          });
          printRows(formatOf(opts), rows as unknown as Record<string, unknown>[], [
            'id',
            'dataset',
            'sourceFile',
            'line',
            'reason',
            'raw',
            'importId',
            'createdAt',
          ]);
        });
      },
    );
}
