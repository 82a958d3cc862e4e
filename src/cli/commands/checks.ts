import type { Command } from 'commander';
import { UsageError } from '../../core/index.js';
import { withContext, type GlobalFlags } from '../context.js';
import { asUsage } from '../market-args.js';
import { formatOf, printJson, printRows } from '../output.js';
import { parseInteger } from '../parse.js';

interface ChecksFlags {
  failed?: boolean;
  keys?: boolean;
  run?: boolean;
  partition?: string;
  from?: string;
  to?: string;
  calendar?: string;
  check?: string[];
  runId?: string;
  history?: boolean;
  limit?: string;
  json?: boolean;
  csv?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `marketlake checks [asset]`: market-data quality results, failing keys, and runs. */
export function checksCommand(program: Command): void {
  program
    .command('checks')
    .argument('[asset]', 'asset (dataset) name, e.g. bars_1d')
    .description('market-data quality checks: latest results, failing keys, or a new run (--run)')
    .option('--failed', 'only checks that failed')
    .option('--keys', 'list the failing keys (every one is stored) instead of the results')
    .option('--run', 'run the checks on <asset> now and print the summary')
    .option('--partition <key>', 'with --run: one partition, e.g. year=2017')
    .option('--from <date>', 'with --run: first date')
    .option('--to <date>', 'with --run: last date')
    .option(
      '--calendar <mic>',
      "with --run: calendar of every symbol (default: each symbol's exchange in instruments)",
    )
    .option('--check <name>', 'only this check (repeatable)', collect)
    .option('--run-id <id>', 'results or keys of one run')
    .option('--history', 'every run, not only the latest per asset, partition and check')
    .option('--limit <n>', 'at most n rows')
    .option('--json', 'one JSON document')
    .option('--csv', 'CSV')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake checks bars_1d --run --calendar XNYS
  $ marketlake checks --failed
  $ marketlake checks bars_1d --keys --check missing_sessions --csv > missing.csv`,
    )
    .action(async (asset: string | undefined, opts: ChecksFlags, cmd: Command) => {
      const limit = opts.limit === undefined ? undefined : parseInteger(opts.limit, '--limit', 1);
      if (opts.run && asset === undefined)
        throw new UsageError(
          '--run needs the asset (dataset) to check, e.g. `marketlake checks bars_1d --run`.',
        );
      if (opts.run && opts.keys) throw new UsageError('Use either --run or --keys, not both.');
      const single = opts.check?.length === 1 ? opts.check[0] : undefined;
      await withContext(cmd.optsWithGlobals<GlobalFlags>(), async ({ lake }) => {
        const market = await import('../../market/index.js');
        const names = opts.check ?? [];
        const unknown = names.filter((n) => !market.checkNames.includes(n as never));
        if (unknown.length > 0)
          throw new UsageError(
            `Unknown check ${unknown.join(', ')}; checks: ${market.checkNames.join(', ')}.`,
          );
        if (opts.run) {
          const summary = await asUsage(() =>
            market.runMarketChecks(lake, {
              dataset: asset!,
              partition: opts.partition,
              from: opts.from,
              to: opts.to,
              calendar: opts.calendar,
              ...(names.length ? { checks: names as never } : {}),
            }),
          );
          if (opts.json) return printJson(summary);
          process.stdout.write(
            `run ${summary.runId} on ${summary.asset}${summary.partition ? ` ${summary.partition}` : ''}: ${summary.checkedRows} rows, ` +
              `${summary.passed ? 'all checks passed' : `${summary.errors.length} error(s), ${summary.warnings.length} warning(s)`}` +
              `${summary.blocked ? ', BLOCKED (a blocking check failed)' : ''}\n\n`,
          );
          printRows(
            formatOf(opts),
            summary.results.map((r) => ({
              check: r.check,
              severity: r.severity,
              blocking: r.blocking,
              passed: r.passed,
              failing: r.failingCount,
              example: r.examples[0] ? `${r.examples[0].key}: ${r.examples[0].message}` : '',
            })),
          );
          if (summary.symbolsWithoutCalendar.length > 0)
            process.stdout.write(
              `\n${summary.symbolsWithoutCalendar.length} symbol(s) without a known exchange were not checked against a calendar (pass --calendar, or add them to instruments).\n`,
            );
          return;
        }
        if (opts.keys) {
          const failures = await market.listCheckFailures(lake, {
            asset,
            check: single,
            runId: opts.runId,
            limit,
          });
          const rows =
            names.length > 1 ? failures.filter((f) => names.includes(f.check)) : failures;
          return printRows(formatOf(opts), rows as unknown as Record<string, unknown>[], [
            'asset',
            'partition',
            'check',
            'severity',
            'key',
            'value',
            'message',
            'runId',
          ]);
        }
        const results = await market.listCheckResults(lake, {
          asset,
          check: single,
          runId: opts.runId,
          failed: opts.failed,
          history: opts.history,
          limit,
        });
        const rows = names.length > 1 ? results.filter((r) => names.includes(r.check)) : results;
        if (opts.json) return printJson(rows);
        printRows(formatOf(opts), rows as unknown as Record<string, unknown>[], [
          'asset',
          'partition',
          'check',
          'severity',
          'blocking',
          'passed',
          'failingCount',
          'checkedRows',
          'ranAt',
          'runId',
        ]);
      });
    });
}
