import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { messageOf } from '../core/index.js';
import type { ColumnSpec, Dataset } from './dataset-spec.js';
import {
  csvReaderSql,
  sniffCsvDialect,
  type CsvDialect,
  type CsvReadOptions,
  type CsvRejects,
} from './csv-dialect.js';
import type { CsvLines } from './csv-lines.js';
import { LakeImportFileError } from './errors.js';
import { gunzipCopy } from './gunzip-copy.js';
import { mixedLineEndings } from './line-endings.js';
import type { LineIndex } from './line-index.js';
import { ident, literal, text } from './sql.js';
import { scanTypedColumns, stageInput, type ColumnMapping } from './staged-input.js';

/** File formats `lake import` reads. */
export type ImportFormat = 'csv' | 'parquet';

/** How an import reads its files. */
export interface SourceReadOptions extends ColumnMapping {
  /** Default: from the extension (.parquet is Parquet, everything else CSV; .gz is decompressed). */
  format?: ImportFormat;
  /** CSV: whether the first line is a header (default true). */
  header?: boolean;
  /** CSV quote character (default `"`). */
  quote?: string;
}

/** One staged source file of an import: where its rows sit in the table and how to find their lines. */
export interface SourceInfo {
  file: string;
  /** What was read: the file, or its decompressed copy. */
  readPath: string;
  index: number;
  format: ImportFormat;
  offset: number;
  rows: number;
  headerLines: number;
  /** The quote character the CSV reader used. */
  quote: string;
  /** Lines DuckDB's CSV reader rejected (wrong column count, bad quoting), ascending. */
  rejectedLines: number[];
  /** Physical lines of the rows to quarantine, when the file was scanned for them. */
  lines?: CsvLines;
  /** Where the lines of a decompressed copy start (see `LineIndex`). */
  lineIndex?: LineIndex;
  /** Source columns the scan read typed -> the dataset column each feeds. */
  typed: ReadonlyMap<string, ColumnSpec>;
  /** Columns the staged table leaves out (see `StagedInput.columnSql`). */
  columnSql: ReadonlyMap<string, string>;
  /** Whether a record spans lines (a quoted line break): then the reader's line numbers drift. */
  spansLines: boolean;
}

function detectFormat(file: string, given?: ImportFormat): ImportFormat {
  if (given) return given;
  return /\.parquet$/i.test(file) ? 'parquet' : 'csv';
}

function csvOptions(file: string, options: SourceReadOptions): CsvReadOptions {
  const delimiter = options.delimiter ?? (/\.tsv(\.gz)?$/i.test(file) ? '\t' : undefined);
  return {
    ...(options.header === undefined ? {} : { header: options.header }),
    ...(delimiter ? { delimiter } : {}),
    ...(options.quote ? { quote: options.quote } : {}),
  };
}

function readerSql(
  file: string,
  format: ImportFormat,
  options: SourceReadOptions,
  rejects?: CsvRejects,
  dialect?: CsvDialect,
): string {
  if (format === 'parquet') return `read_parquet(${literal(file)})`;
  return csvReaderSql(file, csvOptions(file, options), rejects, dialect);
}

/**
 * Stages one source file of an import into the import's table (`table`, or `table_<index>`
 * merged into it), reading a gzip CSV from a decompressed copy, and collects what DuckDB's reader
 * rejected.
 */
export async function stageFile(
  conn: DuckDBConnection,
  dataset: Dataset,
  file: string,
  /** Folder for a decompressed copy of a gzip CSV file (see `gunzipCopy`). */
  copies: string,
  index: number,
  offset: number,
  table: string,
  options: SourceReadOptions,
  staging: { omitConstant: boolean },
): Promise<SourceInfo> {
  const format = detectFormat(file, options.format);
  const rejects =
    format === 'csv' ? { table: `_rej_${index}`, scan: `_rejscan_${index}` } : undefined;
  let columns: string[];
  const givenQuote = options.quote ?? '"';
  // The dialect is sniffed from the start of the file while the rest is decompressed.
  const [copied, sniffed] = await Promise.allSettled([
    format === 'csv' && /\.gz$/i.test(file)
      ? gunzipCopy(file, path.join(copies, String(index)), givenQuote)
      : undefined,
    format === 'csv' ? sniffCsvDialect(conn, file, csvOptions(file, options)) : undefined,
  ]);
  if (copied.status === 'rejected') throw copied.reason;
  if (sniffed.status === 'rejected') throw sniffed.reason;
  const readPath = copied.value?.path ?? file;
  const dialect = sniffed.value;
  const quote = dialect?.quote ?? givenQuote;
  // The copy's index knows the lines for the quote character it was given, not another.
  const lineIndex = quote === givenQuote ? copied.value?.lines : undefined;
  try {
    // Sniff with the same options as the scan: without rejects capture, one line with a wrong
    // column count makes DuckDB's sniffer give up on the delimiter and see a single column.
    columns =
      dialect?.columns ??
      (
        await conn.runAndReadAll(
          `DESCRIBE SELECT * FROM ${readerSql(readPath, format, options, rejects)}`,
        )
      )
        .getRowObjectsJson()
        .map((r) => text(r['column_name']));
  } catch (err) {
    const mixed = format === 'csv' ? mixedLineEndings(readPath) : undefined;
    const advice = mixed
      ? `Its lines end in both LF (line ${mixed.lf}) and CRLF (line ${mixed.crlf}): convert the file to one kind (for example with dos2unix) and import it again.`
      : 'Check --format, --delimiter and that the file is not truncated.';
    throw new LakeImportFileError(
      `Cannot read ${file} as ${format.toUpperCase()}: ${messageOf(err).split('\n')[0]?.replace(/\.+$/, '')}. ${advice}`,
      {
        cause: err,
        details: { file, ...(mixed ? { lineEndings: mixed } : {}) },
      },
    );
  }
  const target = index === 0 ? table : `${table}_${index}`;
  const typed = dialect
    ? scanTypedColumns(dataset, columns, options, file)
    : new Map<string, ColumnSpec>();
  const reading = dialect && typed.size > 0 ? { ...dialect, typed: typeNames(typed) } : dialect;
  const staged = await stageInput(
    conn,
    dataset,
    {
      sql: `SELECT * FROM ${readerSql(readPath, format, options, rejects, reading)}`,
      columns,
      label: file,
      // Without a quote character in the file, no field holds a line break.
      lineBreakColumns:
        format === 'csv' && !lineIndex?.unquoted ? columns.filter((c) => !typed.has(c)) : [],
    },
    options,
    target,
    staging.omitConstant,
  ).catch((err: unknown) => {
    if (err instanceof LakeImportFileError) throw err;
    throw new LakeImportFileError(`Cannot import ${file}: ${messageOf(err).split('\n')[0]}`, {
      cause: err,
      details: { file },
    });
  });
  const rejectedLines: number[] = [];
  let rejectSpansLines = false;
  if (rejects) {
    const rows = await conn.runAndReadAll(
      `SELECT line, bool_or(contains(trim(csv_line, chr(13) || chr(10)), chr(10))) AS nl FROM ${ident(rejects.table)} GROUP BY line ORDER BY line`,
    );
    for (const r of rows.getRowObjectsJson()) {
      rejectedLines.push(Number(r['line']));
      if (r['nl'] === true) rejectSpansLines = true;
    }
  }
  // Only rejected lines need it, and a rejected line that spans lines already tells.
  const spansLines =
    rejectSpansLines ||
    (rejectedLines.length > 0 &&
      (
        await conn.runAndReadAll(`SELECT bool_or(_nl) AS nl FROM ${ident(target)}`)
      ).getRowObjectsJson()[0]?.['nl'] === true);
  if (target !== table) {
    await conn.run(`INSERT INTO ${ident(table)} SELECT * FROM ${ident(target)}`);
    await conn.run(`DROP TABLE ${ident(target)}`);
  }
  return {
    file,
    readPath,
    index,
    format,
    offset,
    rows: staged.rows,
    headerLines: format === 'csv' && options.header !== false ? 1 : 0,
    quote,
    rejectedLines,
    ...(lineIndex ? { lineIndex } : {}),
    typed,
    columnSql: staged.columnSql,
    spansLines,
  };
}

function typeNames(typed: ReadonlyMap<string, ColumnSpec>): Map<string, string> {
  return new Map([...typed].map(([src, col]) => [src, col.type]));
}

/** A line DuckDB's reader rejected: its line in the reader's numbering, text and reason. */
interface RejectedRow {
  line: number;
  raw: string;
  reason: string;
}

export async function rejectedRows(
  conn: DuckDBConnection,
  info: SourceInfo,
  dataset: Dataset,
): Promise<RejectedRow[]> {
  if (info.format !== 'csv') return [];
  const rows = await conn
    .runAndReadAll(
      `SELECT line, column_name, error_type, csv_line, error_message FROM ${ident(`_rej_${info.index}`)} ORDER BY line, column_idx`,
    )
    .catch(() => undefined);
  if (!rows) return [];
  const byLine = new Map<number, { raw: string; problems: { order: number; reason: string }[] }>();
  for (const r of rows.getRowObjectsJson()) {
    const line = Number(r['line']);
    let entry = byLine.get(line);
    if (!entry) {
      // DuckDB's csv_line can carry the previous line's terminator (CRLF files, skipped blank lines).
      entry = { raw: text(r['csv_line']).replace(/^[\r\n]+|[\r\n]+$/g, ''), problems: [] };
      byLine.set(line, entry);
    }
    const col = r['error_type'] === 'CAST' ? info.typed.get(text(r['column_name'])) : undefined;
    entry.problems.push(
      col
        ? {
            // Listed in the dataset's column order.
            order: dataset.columns.findIndex((c) => c.name === col.name),
            reason: castReason(col, text(r['error_message'])),
          }
        : { order: -1, reason: `unparseable line: ${text(r['error_message'])}` },
    );
  }
  return [...byLine].map(([line, entry]) => ({
    line,
    raw: entry.raw,
    // A ragged line's values sit in the wrong columns: its cast errors say nothing more.
    reason: (entry.problems.some((p) => p.order < 0)
      ? entry.problems.filter((p) => p.order < 0)
      : entry.problems
    )
      .sort((a, b) => a.order - b.order)
      .map((p) => p.reason)
      .join('; '),
  }));
}

/** The reason a typed scan column did not convert, worded as staging words it for text columns. */
function castReason(col: ColumnSpec, message: string): string {
  const value =
    /Could not convert string "([\s\S]*)" to '/.exec(message)?.[1] ??
    /Could not convert string "([\s\S]*)$/.exec(message)?.[1] ??
    '';
  return value.trim() === ''
    ? `${col.name} is blank`
    : `${col.name}: "${value}" is not a valid ${col.type}`;
}
