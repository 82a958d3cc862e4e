import type { Command } from 'commander';
import { withContext, type GlobalFlags } from '../context.js';
import { formatBytes, formatOf, printJson, printRows } from '../output.js';
import { parseInteger } from '../parse.js';
import { createProgress } from '../progress.js';
import { lakeImportCommand } from './lake-import.js';

type Fmt = { json?: boolean; csv?: boolean };

/** `marketlake lake ...`: datasets, versions, import, SQL, maintenance. */
export function lakeCommand(program: Command): void {
  const lake = program
    .command('lake')
    .description('datasets, versions, imports, SQL and maintenance of the Parquet lake')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake lake ls
  $ marketlake lake import prices.csv.gz --dataset bars_1d
  $ marketlake lake query "SELECT count(*) FROM bars_1d" --json
  $ marketlake lake history bars_1d`,
    );

  lake
    .command('ls')
    .description('list datasets with their head version, rows, files and size')
    .option('--json', 'one JSON document')
    .option('--csv', 'CSV')
    .addHelpText('after', '\nExamples:\n  $ marketlake lake ls\n  $ marketlake lake ls --json')
    .action(async (opts: Fmt, cmd: Command) => {
      await withContext(cmd.optsWithGlobals<GlobalFlags>(), async (ctx) => {
        const { datasetSummaries } = await import('../../lake/index.js');
        const rows = await datasetSummaries(ctx.lake);
        if (formatOf(opts) === 'table') {
          printRows(
            'table',
            rows.map((r) => ({ ...r, size: formatBytes(r.bytes) })),
            ['name', 'version', 'rows', 'files', 'size', 'partitioning', 'description'],
          );
        } else printRows(formatOf(opts), rows as unknown as Record<string, unknown>[]);
      });
    });

  lake
    .command('describe')
    .argument('<dataset>', 'dataset name')
    .description('show a dataset: columns, primary key, partitioning, row checks, head version')
    .option('--json', 'one JSON document')
    .addHelpText('after', '\nExamples:\n  $ marketlake lake describe bars_1d')
    .action(async (name: string, opts: Fmt, cmd: Command) => {
      await withContext(cmd.optsWithGlobals<GlobalFlags>(), async (ctx) => {
        const { describePartitioning } = await import('../../lake/index.js');
        const d = await ctx.lake.dataset(name);
        const [head] = d.headVersion > 0 ? await ctx.lake.history(name, 1) : [];
        if (opts.json) return printJson({ ...d, head: head ?? null });
        process.stdout.write(
          `${d.name}${d.builtin ? ' (built-in)' : ''}: ${d.description}\nprimary key: ${d.primaryKey.join(', ') || '(none)'}\npartitioning: ${describePartitioning(d)}\nversion: ${d.headVersion}${
            head
              ? `, ${head.rows} rows in ${head.files} files, ${formatBytes(head.bytes)}`
              : ' (empty)'
          }\n\n`,
        );
        printRows(
          'table',
          d.columns.map((c) => ({
            column: c.name,
            type: c.type,
            nullable: c.nullable !== false ? 'yes' : 'no',
            description: c.description ?? '',
          })),
        );
        if (d.checks.length) {
          process.stdout.write('\nrow checks:\n');
          printRows(
            'table',
            d.checks.map((c) => ({ name: c.name, rule: c.sql, message: c.message })),
          );
        }
      });
    });

  lake
    .command('history')
    .argument('<dataset>', 'dataset name')
    .description('list the retained versions of a dataset, newest first')
    .option('--json', 'one JSON document')
    .option('--csv', 'CSV')
    .addHelpText(
      'after',
      '\nExamples:\n  $ marketlake lake history bars_1d\n  $ marketlake lake history bars_1d --csv > versions.csv',
    )
    .action(async (name: string, opts: Fmt, cmd: Command) => {
      await withContext(cmd.optsWithGlobals<GlobalFlags>(), async (ctx) => {
        const versions = await ctx.lake.history(name);
        const cols = [
          'version',
          'createdAt',
          'operation',
          'writer',
          'rowsAdded',
          'rowsRemoved',
          'rows',
          'files',
          'bytes',
        ];
        printRows(
          formatOf(opts),
          versions as unknown as Record<string, unknown>[],
          formatOf(opts) === 'json' ? undefined : cols,
        );
      });
    });

  lakeImportCommand(lake);

  lake
    .command('query')
    .argument('<sql>', 'one read-only SQL statement; every dataset is a table')
    .description('run read-only SQL over the lake with DuckDB')
    .option('--max-rows <n>', 'print at most n rows', '10000')
    .option('--json', 'an array of row objects')
    .option('--csv', 'CSV')
    .addHelpText(
      'after',
      `
User SQL cannot write files, attach databases or read outside the lake.

Examples:
  $ marketlake lake query "SELECT symbol, count(*) FROM bars_1d GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
  $ marketlake lake query "SELECT * FROM bars_1d WHERE symbol = 'AAPL'" --csv > aapl.csv`,
    )
    .action(async (sql: string, opts: Fmt & { maxRows: string }, cmd: Command) => {
      const maxRows = parseInteger(opts.maxRows, '--max-rows', 1);
      await withContext(cmd.optsWithGlobals<GlobalFlags>(), async (ctx) => {
        const result = await ctx.lake.query(sql, { maxRows });
        printRows(
          formatOf(opts),
          result.rows,
          result.columns.map((c) => c.name),
        );
        if (result.truncated)
          process.stderr.write(
            `(only the first ${result.rows.length} rows; raise --max-rows for more)\n`,
          );
      });
    });

  lake
    .command('compact')
    .description('merge small files of each partition into one (a new version with the same rows)')
    .option('--dataset <name>', 'only this dataset')
    .option('--json', 'one JSON document')
    .addHelpText(
      'after',
      '\nExamples:\n  $ marketlake lake compact\n  $ marketlake lake compact --dataset bars_1m',
    )
    .action(async (opts: { dataset?: string; json?: boolean }, cmd: Command) => {
      await withContext(cmd.optsWithGlobals<GlobalFlags>(), async (ctx) => {
        const progress = createProgress(!opts.json);
        try {
          const results = await ctx.lake.compact({
            dataset: opts.dataset,
            smallFileBytes: ctx.loaded.config.compactSmallFileBytes,
            onProgress: (done, total) => progress.update('compacting', done, total),
          });
          progress.stop();
          if (opts.json) return printJson(results);
          printRows(
            'table',
            results.map((r) => ({
              dataset: r.dataset,
              version: r.version,
              partitions: r.partitions.length,
              filesBefore: r.filesBefore,
              filesAfter: r.filesAfter,
            })),
          );
        } finally {
          progress.stop();
        }
      });
    });

  lake
    .command('vacuum')
    .description(
      "delete versions older than the retention, orphaned files and crashed writers' staging files",
    )
    .option('--dataset <name>', 'only this dataset')
    .option(
      '--retention-days <n>',
      'keep versions this many days (default: configuration retentionDays)',
    )
    .option('--json', 'one JSON document')
    .addHelpText(
      'after',
      '\nExamples:\n  $ marketlake lake vacuum\n  $ marketlake lake vacuum --retention-days 30 --json',
    )
    .action(
      async (opts: { dataset?: string; retentionDays?: string; json?: boolean }, cmd: Command) => {
        const retentionDays =
          opts.retentionDays === undefined
            ? undefined
            : parseInteger(opts.retentionDays, '--retention-days', 0);
        await withContext(cmd.optsWithGlobals<GlobalFlags>(), async (ctx) => {
          const days = retentionDays ?? ctx.loaded.config.retentionDays;
          const results = await ctx.lake.vacuum({
            dataset: opts.dataset,
            retentionMs: days * 86_400_000,
          });
          if (opts.json) return printJson(results);
          printRows(
            'table',
            Object.entries(results).map(([dataset, r]) => ({
              dataset,
              ...r,
              bytesRemoved: formatBytes(r.bytesRemoved),
            })),
          );
        });
      },
    );
}
