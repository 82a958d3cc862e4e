import type { Command } from 'commander';
import { withContext, type GlobalFlags } from '../context.js';
import { formatOf, printJson, printRows } from '../output.js';

/** `marketlake instruments`: the instruments master. */
export function instrumentsCommand(program: Command): void {
  program
    .command('instruments')
    .description(
      'the instruments master: symbol, exchange (MIC), name, type, currency, identifiers, listing dates, symbol changes',
    )
    .option('--exchange <mic>', 'only this exchange, e.g. XKRX')
    .option('--type <type>', 'only this type: stock, etf, etn, index, fx, crypto, rate, macro')
    .option('--symbol <symbol>', 'only this symbol')
    .option('--json', 'one JSON document')
    .option('--csv', 'CSV')
    .addHelpText(
      'after',
      '\nExamples:\n  $ marketlake instruments --exchange XKRX\n  $ marketlake instruments --type etf --json',
    )
    .action(
      async (
        opts: { exchange?: string; type?: string; symbol?: string; json?: boolean; csv?: boolean },
        cmd: Command,
      ) => {
        await withContext(cmd.optsWithGlobals<GlobalFlags>(), async ({ lake }) => {
          const { listInstruments } = await import('../../market/index.js');
          const list = await listInstruments(lake, {
            exchange: opts.exchange,
            type: opts.type,
            symbol: opts.symbol,
          });
          if (opts.json) return printJson(list);
          printRows(
            formatOf(opts),
            list.map((i) => ({
              ...i,
              symbolChanges: i.symbolChanges.map((c) => `${c.from}->${c.to} ${c.date}`).join('; '),
            })),
            [
              'exchange',
              'symbol',
              'name',
              'type',
              'currency',
              'isin',
              'localCode',
              'sector',
              'listedDate',
              'delistedDate',
              'symbolChanges',
            ],
          );
        });
      },
    );
}
