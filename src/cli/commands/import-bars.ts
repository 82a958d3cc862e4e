import { Option, type Command } from 'commander';
import { withContext, type GlobalFlags } from '../context.js';
import { asUsage } from '../market-args.js';
import { printJson } from '../output.js';
import { collectPairs } from '../parse.js';

/** `marketlake import-bars <file>`: a vendor bars file with dividend and split columns. */
export function importBarsCommand(program: Command): void {
  program
    .command('import-bars')
    .argument(
      '<file>',
      'CSV (or .csv.gz) with date, open, high, low, close, volume and optional dividend, split, symbol',
    )
    .description(
      'import daily bars and their corporate actions, declaring what the prices already include',
    )
    .addOption(
      new Option(
        '--prices-include <what>',
        "what the file's prices already include (they are stored raw)",
      )
        .choices(['none', 'split', 'split_dividend'])
        .makeOptionMandatory(),
    )
    .option('--symbol <symbol>', 'symbol of every row (when the file has no symbol column)')
    .option(
      '--map <field=column>',
      'source column of a field (symbol, date, open, ..., dividend, split); repeatable',
      collectPairs('--map'),
      {},
    )
    .option('--date-format <fmt>', 'strptime format of the date column, e.g. %Y%m%d')
    .option('--delimiter <c>', 'field delimiter (default ,)')
    .option('--source <name>', 'recorded as the source (default the file name)')
    .option('--currency <code>', 'currency of the dividends, e.g. USD')
    .option('--json', 'one JSON document')
    .addHelpText(
      'after',
      `
With --prices-include split (or split_dividend) the prices are multiplied back by the later
splits (and divided by the later dividend ratios) before they are stored, so reads never apply
an action twice (docs/decisions/0003-price-adjustments.md).

Examples:
  $ marketlake import-bars csvdir_AAPL.csv.gz --symbol AAPL --prices-include split
  $ marketlake import-bars quandl.csv --prices-include none --map symbol=ticker --map dividend=ex-dividend --map split=split_ratio`,
    )
    .action(
      async (
        file: string,
        opts: {
          pricesInclude: string;
          symbol?: string;
          map: Record<string, string>;
          dateFormat?: string;
          delimiter?: string;
          source?: string;
          currency?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        await withContext(cmd.optsWithGlobals<GlobalFlags>(), async ({ lake }) => {
          const { importBarsWithActions } = await import('../../market/index.js');
          const result = await asUsage(() =>
            importBarsWithActions(lake, file, {
              pricesInclude: opts.pricesInclude as 'none',
              symbol: opts.symbol,
              columns: opts.map,
              dateFormat: opts.dateFormat,
              delimiter: opts.delimiter,
              source: opts.source,
              currency: opts.currency,
              writer: 'cli',
            }),
          );
          if (opts.json) return printJson(result);
          process.stdout.write(
            `imported ${result.bars.rowsWritten} bars (bars_1d v${result.bars.version}) and ${result.actions.rowsWritten} corporate actions (corporate_actions v${result.actions.version}) from ${result.file}; prices stored raw (file declared: ${result.pricesInclude})\n`,
          );
        });
      },
    );
}
