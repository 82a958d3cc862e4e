import type { Command } from 'commander';
import { withContext, type GlobalFlags } from '../context.js';
import { asUsage } from '../market-args.js';
import { formatOf, printRows } from '../output.js';

/** `marketlake actions <symbol>`: splits, dividends and symbol changes of a symbol. */
export function actionsCommand(program: Command): void {
  program
    .command('actions')
    .argument('<symbol>', 'symbol, e.g. AAPL')
    .description('corporate actions of a symbol (and of its earlier symbols), oldest first')
    .option('--as-of <date>', 'only the actions known on this date')
    .option('--json', 'one JSON document')
    .option('--csv', 'CSV')
    .addHelpText(
      'after',
      '\nExamples:\n  $ marketlake actions AAPL\n  $ marketlake actions AAPL --as-of 2014-05-01 --json',
    )
    .action(
      async (
        symbol: string,
        opts: { asOf?: string; json?: boolean; csv?: boolean },
        cmd: Command,
      ) => {
        await withContext(cmd.optsWithGlobals<GlobalFlags>(), async ({ lake }) => {
          const { listActions } = await import('../../market/index.js');
          const actions = await asUsage(() => listActions(lake, symbol, { asOf: opts.asOf }));
          printRows(formatOf(opts), actions as unknown as Record<string, unknown>[], [
            'symbol',
            'exDate',
            'type',
            'value',
            'currency',
            'newSymbol',
            'announcedDate',
            'source',
          ]);
        });
      },
    );
}
