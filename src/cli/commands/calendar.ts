import type { Command } from 'commander';
import { asUsage } from '../market-args.js';
import { formatOf, printRows, printJson } from '../output.js';

type Fmt = { json?: boolean; csv?: boolean };

/** `marketlake calendar ...`: exchange calendars and their sessions (no home needed). */
export function calendarCommand(program: Command): void {
  const calendar = program
    .command('calendar')
    .description('exchange calendars: XNYS, XNAS, XKRX, CRYPTO, FX and their sessions')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake calendar ls
  $ marketlake calendar sessions XKRX --from 2024-01-01 --to 2024-01-31 --json`,
    );

  calendar
    .command('ls')
    .description('list calendars with time zone and supported dates')
    .option('--json', 'one JSON document')
    .option('--csv', 'CSV')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake calendar ls
  $ marketlake calendar ls --json`,
    )
    .action(async (opts: Fmt) => {
      const { calendarInfos, listCalendars } = await import('../../market/index.js');
      printRows(
        formatOf(opts),
        calendarInfos(listCalendars()) as unknown as Record<string, unknown>[],
        ['name', 'timezone', 'firstDate', 'lastDate'],
      );
    });

  calendar
    .command('sessions')
    .argument('<mic>', 'calendar name, e.g. XNYS')
    .description('sessions between two dates with open, close and lunch break (UTC)')
    .requiredOption('--from <date>', 'first date (YYYY-MM-DD, inclusive)')
    .requiredOption('--to <date>', 'last date (YYYY-MM-DD, inclusive)')
    .option('--json', 'JSON array of { date, open, close, breakStart?, breakEnd? }')
    .option('--csv', 'CSV')
    .addHelpText(
      'after',
      '\nExamples:\n  $ marketlake calendar sessions XNYS --from 2024-12-20 --to 2024-12-31\n  $ marketlake calendar sessions xkrx --from 1995-03-02 --to 1995-03-04 --json',
    )
    .action(async (mic: string, opts: Fmt & { from: string; to: string }) => {
      const { sessionTimes } = await import('../../market/index.js');
      const sessions = await asUsage(() =>
        Promise.resolve().then(() => sessionTimes(mic, opts.from, opts.to)),
      );
      if (opts.json) printJson(sessions);
      else
        printRows(formatOf(opts), sessions as unknown as Record<string, unknown>[], [
          'date',
          'open',
          'close',
          'breakStart',
          'breakEnd',
        ]);
    });
}
