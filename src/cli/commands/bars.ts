import { Option, type Command } from 'commander';
import { withContext, type GlobalFlags } from '../context.js';
import { asUsage } from '../market-args.js';
import { formatOf, printJson, printRows } from '../output.js';

/** `marketlake bars <symbol>`: daily bars, raw or adjusted, optionally as of a past date. */
export function barsCommand(program: Command): void {
  program
    .command('bars')
    .argument('<symbol>', 'symbol, e.g. AAPL or 005930')
    .description('daily bars of a symbol: raw, split-adjusted or total-return-adjusted')
    .option('--from <date>', 'first session (YYYY-MM-DD)')
    .option('--to <date>', 'last session (YYYY-MM-DD)')
    .addOption(
      new Option('--adjust <kind>', 'price adjustment')
        .choices(['raw', 'split', 'total_return'])
        .default('raw'),
    )
    .option('--as-of <date>', 'use only the corporate actions known on this date')
    .option('--json', 'JSON array of bars')
    .option('--csv', 'CSV')
    .addHelpText(
      'after',
      `
Prices are stored raw; adjustments come from corporate_actions at read time. A renamed symbol
includes the bars traded under its earlier symbols (column tradedSymbol).

Examples:
  $ marketlake bars AAPL --from 2014-06-01 --to 2014-06-30 --adjust split
  $ marketlake bars MSFT --adjust total_return --as-of 2014-06-30 --csv > msft.csv`,
    )
    .action(
      async (
        symbol: string,
        opts: {
          from?: string;
          to?: string;
          adjust: string;
          asOf?: string;
          json?: boolean;
          csv?: boolean;
        },
        cmd: Command,
      ) => {
        await withContext(cmd.optsWithGlobals<GlobalFlags>(), async ({ lake }) => {
          const { readBars } = await import('../../market/index.js');
          const result = await asUsage(() =>
            readBars(lake, {
              symbol,
              from: opts.from,
              to: opts.to,
              adjust: opts.adjust as 'raw',
              asOf: opts.asOf,
            }),
          );
          if (opts.json) return printJson(result.rows);
          const renamed = result.rows.some((r) => r.tradedSymbol !== r.symbol);
          printRows(formatOf(opts), result.rows as unknown as Record<string, unknown>[], [
            'symbol',
            ...(renamed ? ['tradedSymbol'] : []),
            'date',
            'open',
            'high',
            'low',
            'close',
            'volume',
            'factor',
          ]);
        });
      },
    );
}
