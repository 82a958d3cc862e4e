import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/index.js';
import type { ImportFormat, WriteMode } from '../../lake/index.js';
import { withContext, type GlobalFlags } from '../context.js';
import { printJson, printRows } from '../output.js';
import { collectPairs, parseInteger } from '../parse.js';
import { createProgress } from '../progress.js';

/** `marketlake lake import <file...> --dataset <name>`. */
export function lakeImportCommand(lake: Command): void {
  lake
    .command('import')
    .argument('<file...>', 'CSV (optionally .gz) or Parquet files')
    .description(
      'import vendor files into a dataset; bad rows are quarantined, good rows land in one new version',
    )
    .requiredOption('--dataset <name>', 'target dataset, e.g. bars_1d')
    .option('--format <format>', 'csv or parquet (default: from the file extension)')
    .option(
      '--map <src=dst>',
      'rename a file column to a dataset column (repeatable)',
      collectPairs('--map'),
      {},
    )
    .option(
      '--set <col=value>',
      'set a dataset column to a constant (repeatable)',
      collectPairs('--set'),
    )
    .option('--delimiter <char>', 'CSV delimiter (default: detected; \\t for tab)')
    .option(
      '--date-format <fmt>',
      'strptime format of date columns, e.g. %Y%m%d (default: ISO or YYYYMMDD)',
    )
    .option('--no-header', 'the CSV has no header line')
    .option(
      '--max-bad-rows <n>',
      'fail and commit nothing when more rows than this are quarantined',
    )
    .option(
      '--mode <mode>',
      'append (upsert by primary key) or replace (the written partitions)',
      'append',
    )
    .option('--json', 'print {dataset, version, rowsImported, rowsQuarantined, files}')
    .addHelpText(
      'after',
      `
Exit status: 0 when rows were imported (even if some were quarantined), 1 when nothing could be
imported or --max-bad-rows was exceeded, 2 on wrong usage. The source files are never modified.

Examples:
  $ marketlake lake import prices.csv.gz --dataset bars_1d
  $ marketlake lake import 005930_D.csv.gz --dataset bars_1d --map code=symbol --set source=krx
  $ marketlake lake import quotes.tsv --dataset bars_1d --delimiter '\\t' --date-format %Y%m%d --max-bad-rows 10`,
    )
    .action(async (files: string[], opts: ImportFlags, cmd: Command) => {
      const options = importOptionsFrom(opts);
      await withContext(cmd.optsWithGlobals<GlobalFlags>(), async (ctx) => {
        const progress = createProgress(!opts.json);
        let result;
        try {
          result = await ctx.lake.import(opts.dataset, files, {
            ...options,
            writer: 'cli',
            onProgress: (e) =>
              progress.update(
                e.phase === 'read'
                  ? `reading ${e.file ? path.basename(e.file) : ''}`
                  : 'writing partitions',
                e.done,
                e.total,
              ),
          });
        } finally {
          progress.stop();
        }
        if (opts.json) {
          return printJson({
            dataset: result.dataset,
            version: result.version,
            rowsImported: result.rowsImported,
            rowsQuarantined: result.rowsQuarantined,
            files: result.files,
            sources: result.sources,
            importId: result.importId,
          });
        }
        process.stdout.write(
          `Imported ${result.rowsImported} rows into ${result.dataset} (version ${result.version}, ${result.files.length} files); ${result.rowsQuarantined} rows quarantined.\n`,
        );
        if (result.rowsQuarantined > 0) {
          printRows(
            'table',
            result.quarantined.slice(0, 10).map((q) => ({
              file: path.basename(q.sourceFile),
              line: q.line,
              reason: q.reason,
              raw: q.raw,
            })),
          );
          if (result.rowsQuarantined > 10)
            process.stdout.write(`... ${result.rowsQuarantined - 10} more\n`);
          process.stdout.write(`All of them: marketlake quarantine --import ${result.importId}\n`);
        }
      });
    });
}

/** Options of `lake import` as commander parses them. */
export interface ImportFlags {
  dataset: string;
  format?: string;
  map?: Record<string, string>;
  set?: Record<string, string>;
  delimiter?: string;
  dateFormat?: string;
  header: boolean;
  maxBadRows?: string;
  mode?: string;
  json?: boolean;
}

/** Validates `lake import` flags into import options. */
export function importOptionsFrom(opts: ImportFlags): {
  format?: ImportFormat;
  map: Record<string, string>;
  constants?: Record<string, string>;
  delimiter?: string;
  dateFormat?: string;
  header: boolean;
  maxBadRows?: number;
  mode: WriteMode;
} {
  if (opts.format !== undefined && opts.format !== 'csv' && opts.format !== 'parquet') {
    throw new UsageError(`--format must be csv or parquet, got "${opts.format}".`);
  }
  if (opts.mode !== undefined && opts.mode !== 'append' && opts.mode !== 'replace') {
    throw new UsageError(`--mode must be append or replace, got "${opts.mode}".`);
  }
  // --map takes source=dataset column; the lake wants dataset column -> source.
  const map = Object.fromEntries(Object.entries(opts.map ?? {}).map(([src, dst]) => [dst, src]));
  return {
    format: opts.format,
    map,
    constants: opts.set,
    delimiter: opts.delimiter === '\\t' ? '\t' : opts.delimiter,
    dateFormat: opts.dateFormat,
    header: opts.header,
    maxBadRows:
      opts.maxBadRows === undefined
        ? undefined
        : parseInteger(opts.maxBadRows, '--max-bad-rows', 0),
    mode: opts.mode ?? 'append',
  };
}
