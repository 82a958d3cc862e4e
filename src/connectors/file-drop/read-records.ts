import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

/** One record of a dropped file with its physical line (1-based). */
export interface SourceRecord {
  line: number;
  /** Field values by lower-cased column name; undefined when the record could not be read. */
  values?: Map<string, string>;
  /** The record's fields (CSV) or the line's text (JSON lines), for quarantine. */
  raw: string[];
}

/** Records of a dropped file and its column names (header order, or first-seen JSON keys). */
export interface SourceRecords {
  columns: string[];
  records: SourceRecord[];
  /** Whether line 1 is a header (CSV with header); JSON lines and header-less CSV start at line 1. */
  headerLine: boolean;
}

function open(file: string): Readable {
  const stream = createReadStream(file);
  return file.toLowerCase().endsWith('.gz') ? stream.pipe(createGunzip()) : stream;
}

/** Reads CSV/TSV records with their line numbers; records with a wrong field count keep their raw fields. */
export async function readDelimited(
  file: string,
  options: { delimiter: string; quote?: string; header: boolean },
): Promise<SourceRecords> {
  const parser = open(file).pipe(
    parse({
      delimiter: options.delimiter,
      quote: options.quote ?? '"',
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
      info: true,
    }),
  );
  let columns: string[] | undefined;
  const records: SourceRecord[] = [];
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const { record, info } = item;
    if (!columns) {
      if (options.header) {
        columns = record.map((c) => c.trim());
        continue;
      }
      columns = record.map((_, i) => `column${i}`);
    }
    const ok = record.length === columns.length;
    records.push({
      line: info.lines,
      raw: record,
      values: ok ? new Map(columns.map((c, i) => [c.toLowerCase(), record[i] ?? ''])) : undefined,
    });
  }
  return { columns: columns ?? [], records, headerLine: options.header };
}

/** A JSON value as field text: strings as they are, null as blank, objects as JSON. */
function jsonText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Reads JSON lines: one object per line; a line that is not a JSON object is kept raw for quarantine. */
export async function readJsonLines(file: string): Promise<SourceRecords> {
  const columns: string[] = [];
  const seen = new Set<string>();
  const records: SourceRecord[] = [];
  let line = 0;
  for await (const text of createInterface({ input: open(file), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      records.push({ line, raw: [text] });
      continue;
    }
    const values = new Map<string, string>();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (!seen.has(k.toLowerCase())) {
        seen.add(k.toLowerCase());
        columns.push(k);
      }
      values.set(k.toLowerCase(), jsonText(v));
    }
    records.push({ line, values, raw: [text] });
  }
  return { columns, records, headerLine: false };
}

/** Reads a Parquet file's rows as text (through DuckDB); row N is "line" N + 1, as in a CSV export. */
export async function readParquet(file: string): Promise<SourceRecords> {
  const dir = await mkdtemp(path.join(tmpdir(), 'marketlake-parquet-'));
  const csv = path.join(dir, 'rows.csv');
  // Loaded here: the SDK entry re-exports the connectors, and attempt workers that never read
  // Parquet should not carry DuckDB's native library (it would show in every peak RSS).
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;
    await conn.run(
      `COPY (SELECT * FROM read_parquet(${lit(file)})) TO ${lit(csv)} (HEADER, DELIMITER ',')`,
    );
    return await readDelimited(csv, { delimiter: ',', header: true });
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The header fields of a CSV/TSV file (first line only). */
export async function readHeader(
  file: string,
  delimiter: string,
  quote?: string,
): Promise<string[]> {
  const input = open(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const rows: string[][] = parseSync(line, {
        delimiter,
        quote: quote ?? '"',
        bom: true,
        relax_quotes: true,
      });
      return (rows[0] ?? []).map((f) => f.trim());
    }
    return [];
  } finally {
    lines.close();
    input.destroy();
  }
}
