import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { literal, text } from './sql.js';

/** CSV options the caller gives (the rest is sniffed). */
export interface CsvReadOptions {
  header?: boolean;
  delimiter?: string;
  quote?: string;
}

/** A CSV file's columns and the `read_csv` options that read it without sniffing again. */
export interface CsvDialect {
  columns: string[];
  /** `read_csv` options (without the path and rejects options), every column as VARCHAR. */
  options: string[];
  /** The quote character the options read with. */
  quote: string;
  /** Source columns the scan reads as a type instead of VARCHAR (see `dialectOptions`). */
  typed?: ReadonlyMap<string, string>;
}

/** Where DuckDB's CSV reader stores the lines it rejects. */
export interface CsvRejects {
  table: string;
  scan: string;
}

/**
 * `read_csv(...)` of a file, every column as VARCHAR: with the sniffed dialect when there is one
 * (no second sniff), else with DuckDB's auto-detection and the caller's options.
 */
export function csvReaderSql(
  file: string,
  given: CsvReadOptions,
  rejects?: CsvRejects,
  dialect?: CsvDialect,
): string {
  const opts = dialect
    ? dialectOptions(dialect)
    : ['all_varchar = true', `header = ${given.header === false ? 'false' : 'true'}`];
  if (!dialect && given.delimiter) opts.push(`delim = ${literal(given.delimiter)}`);
  if (!dialect && given.quote) opts.push(`quote = ${literal(given.quote)}`);
  if (rejects)
    opts.push(
      'store_rejects = true',
      `rejects_table = ${literal(rejects.table)}`,
      `rejects_scan = ${literal(rejects.scan)}`,
    );
  return `read_csv(${literal(file)}, ${opts.join(', ')})`;
}

/**
 * The dialect's `read_csv` options, with the `typed` columns read as their type: a blank field
 * there is not NULL (`force_not_null`), so a blank or unconvertible value is a rejected line with
 * its line number, like a ragged line, instead of a row that must be found in the file later.
 */
function dialectOptions(dialect: CsvDialect): string[] {
  const typed = dialect.typed;
  if (!typed || typed.size === 0) return [...dialect.options];
  const columns = `columns = {${dialect.columns.map((c) => `${literal(c)}: ${literal(typed.get(c) ?? 'VARCHAR')}`).join(', ')}}`;
  return [
    ...dialect.options.map((o) => (o.startsWith('columns = ') ? columns : o)),
    `force_not_null = [${[...typed.keys()].map(literal).join(', ')}]`,
  ];
}

/**
 * Text sniffed from a compressed file: about 10,000 bars, plenty for a dialect (every column is
 * read as text). A smaller sample sniffs while the file is still being decompressed.
 */
const SAMPLE_BYTES = 512 * 1024;

/**
 * Reads the CSV dialect (delimiter, quote, escape, line ending) and column names of a file with
 * DuckDB's sniffer. A gzip file is sniffed from a decompressed sample, since DuckDB decompresses
 * the whole file to sniff it; the scan then runs with `auto_detect = false`, which also spares the
 * scan its own sniff. Returns undefined when the sample cannot be sniffed, so the caller can let
 * DuckDB sniff the whole file and report its error.
 */
export async function sniffCsvDialect(
  conn: DuckDBConnection,
  file: string,
  given: CsvReadOptions,
): Promise<CsvDialect | undefined> {
  const gz = /\.gz$/i.test(file);
  const dir = gz ? mkdtempSync(path.join(tmpdir(), 'marketlake-sniff-')) : undefined;
  try {
    let target = file;
    if (dir) {
      const sample = await decompressedSample(file, given.quote ?? '"');
      if (sample === undefined) return undefined;
      target = path.join(dir, 'sample.csv');
      writeFileSync(target, sample);
    }
    const opts = ['all_varchar = true', `header = ${given.header === false ? 'false' : 'true'}`];
    if (given.delimiter) opts.push(`delim = ${literal(given.delimiter)}`);
    if (given.quote) opts.push(`quote = ${literal(given.quote)}`);
    // Like the scan's rejects capture: one ragged line must not make the sniffer see one column.
    opts.push('ignore_errors = true');
    const row = (
      await conn
        .runAndReadAll(`SELECT * FROM sniff_csv(${literal(target)}, ${opts.join(', ')})`)
        .catch(() => undefined)
    )?.getRowObjectsJson()[0];
    if (!row) return undefined;
    const columns = (row['Columns'] as { name: string }[] | null)?.map((c) => text(c.name)) ?? [];
    if (columns.length === 0) return undefined;
    const sniffed = (key: string): string | undefined => {
      const v = row[key];
      return v === null || v === undefined || v === '(empty)' ? undefined : text(v);
    };
    // A sample without quotes sniffs "no quote"; later rows may still quote a field (a name with
    // a comma), so keep the standard quote unless the caller chose one.
    const quote = given.quote ?? sniffed('Quote') ?? '"';
    const escape = sniffed('Escape') ?? (quote === '"' ? '"' : undefined);
    const options = [
      'auto_detect = false',
      `header = ${row['HasHeader'] === true ? 'true' : 'false'}`,
      `delim = ${literal(given.delimiter ?? sniffed('Delimiter') ?? ',')}`,
      `quote = ${literal(quote)}`,
      ...(escape ? [`escape = ${literal(escape)}`] : []),
      // Printed escaped (`\n`, `\r\n`), which is how `new_line` takes it.
      ...(sniffed('NewLineDelimiter')
        ? [`new_line = ${literal(sniffed('NewLineDelimiter') ?? '')}`]
        : []),
      `skip = ${Number(row['SkipRows'] ?? 0)}`,
      ...(sniffed('Comment') ? [`comment = ${literal(sniffed('Comment') ?? '')}`] : []),
      `columns = {${columns.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`,
    ];
    return { columns, options, quote };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The first ~2 MiB of a gzip file's text, cut at the end of a record: after a line break that is
 * outside quotes, so a quoted line break cannot leave half a record at the end. Undefined when
 * the file is not valid gzip (the full read then reports it).
 */
async function decompressedSample(file: string, quote: string): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  const input = createReadStream(file);
  const stream = input.pipe(createGunzip());
  input.on('error', (err) => stream.destroy(err));
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= SAMPLE_BYTES) break;
    }
  } catch {
    return undefined;
  } finally {
    input.destroy();
    stream.destroy();
  }
  const all = Buffer.concat(chunks);
  if (size < SAMPLE_BYTES) return all;
  const q = quote.charCodeAt(0);
  let inQuotes = false;
  let end = -1;
  for (let i = 0; i < all.length; i++) {
    const b = all[i];
    if (b === q) inQuotes = !inQuotes;
    else if (b === 0x0a && !inQuotes) end = i + 1;
  }
  return end > 0 ? all.subarray(0, end) : undefined;
}
