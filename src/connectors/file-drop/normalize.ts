import { writeFile } from 'node:fs/promises';
import type { ColumnSpec, Dataset, ImportOptions } from '../../lake/index.js';
import { ConnectorMappingInvalidError } from '../errors.js';
import { localDate, utcDateTime, zonedToEpochMs } from '../sdk/dates.js';
import { round, unadjustBars, type AdjustableBar, type AdjustmentEvent } from '../sdk/unadjust.js';
import { readDelimited, readJsonLines, readParquet, type SourceRecords } from './read-records.js';
import { strptime, type VendorMapping } from './vendor-mapping.js';

const PRICE = new Set(['open', 'high', 'low', 'close', 'vwap', 'value']);
const VOLUME = new Set(['volume']);
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const NAIVE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/;
const EPOCH = /^\d{10}(\d{3})?$/;

/** What the normalizing pass produced: a CSV for `lake.import` and how to import it. */
export interface Normalized {
  file: string;
  options: ImportOptions;
  rows: number;
  /** Bars whose prices were un-adjusted (adjustments other than 'none'). */
  unadjusted: number;
}

/** Reads any supported dropped file into records. */
export async function readSource(
  file: string,
  format: string,
  m: VendorMapping,
): Promise<SourceRecords> {
  if (format === 'jsonl') return readJsonLines(file);
  if (format === 'parquet') return readParquet(file);
  return readDelimited(file, {
    delimiter: m.delimiter ?? (format === 'tsv' ? '\t' : ','),
    quote: m.quote,
    header: m.header,
  });
}

function epochOf(text: string): number | undefined {
  if (EPOCH.test(text)) return text.length === 10 ? Number(text) * 1000 : Number(text);
  return INSTANT.test(text) ? Date.parse(text.replace(' ', 'T')) : undefined;
}

function convertDate(text: string, m: VendorMapping): string {
  const t = text.trim();
  const instant = m.timezone ? epochOf(t) : undefined;
  if (instant !== undefined && m.timezone) return localDate(instant, m.timezone);
  if (m.dateFormat) return strptime(t, m.dateFormat, false) ?? text;
  return text;
}

function convertTimestamp(text: string, m: VendorMapping): string {
  const t = text.trim();
  const instant = epochOf(t);
  if (instant !== undefined) return utcDateTime(instant);
  const naive = m.timestampFormat
    ? strptime(t, m.timestampFormat, true)
    : NAIVE.test(t)
      ? t.replace('T', ' ')
      : undefined;
  if (naive === undefined) return text;
  return m.timezone ? utcDateTime(zonedToEpochMs(naive, m.timezone)) : naive;
}

function convertNumber(text: string, scale: number, m: VendorMapping): string {
  const cleaned = m.thousandsSeparator ? text.split(m.thousandsSeparator).join('') : text;
  if (scale === 1) return cleaned;
  const n = Number(cleaned.trim());
  return cleaned.trim() === '' || !Number.isFinite(n) ? cleaned : String(round(n * scale, 10));
}

function convertSymbol(text: string, m: VendorMapping): string {
  const s = m.symbols;
  if (!s) return text;
  let out = s.map[text] ?? s.map[text.trim()] ?? text.trim();
  if (s.padTo && /^\d+$/.test(out)) out = out.padStart(s.padTo, '0');
  if (s.upperCase) out = out.toUpperCase();
  return `${s.prefix}${out}${s.suffix}`;
}

function convert(col: ColumnSpec, text: string, m: VendorMapping): string {
  if (col.name === 'symbol' || col.name === 'new_symbol') return convertSymbol(text, m);
  if (col.type === 'DATE') return convertDate(text, m);
  if (col.type === 'TIMESTAMP' || col.type === 'TIMESTAMPTZ') return convertTimestamp(text, m);
  if (PRICE.has(col.name)) return convertNumber(text, m.priceScale, m);
  if (VOLUME.has(col.name)) return convertNumber(text, m.volumeScale, m);
  if (col.type === 'DOUBLE' || col.type === 'BIGINT' || col.type === 'INTEGER')
    return convertNumber(text, 1, m);
  return text;
}

/**
 * The dataset columns the file feeds, checking the mapping against the file's columns: every
 * mapped column must exist, and every required column needs a source or a constant.
 */
export function mappedColumns(
  sourceColumns: readonly string[],
  dataset: Dataset,
  m: VendorMapping,
): ColumnSpec[] {
  const byLower = new Set(sourceColumns.map((c) => c.toLowerCase()));
  const fail = (problem: string, details: Record<string, unknown>): never => {
    throw new ConnectorMappingInvalidError(
      `Vendor ${m.vendor}: ${problem} The file's columns are: ${sourceColumns.join(', ')}.`,
      { details: { vendor: m.vendor, columns: sourceColumns, ...details } },
    );
  };
  for (const [target, src] of Object.entries(m.columns)) {
    if (!dataset.columns.some((c) => c.name === target))
      fail(
        `"columns" maps ${target}, which is not a column of ${dataset.name} (${dataset.columns.map((c) => c.name).join(', ')}).`,
        { column: target },
      );
    if (!byLower.has(src.toLowerCase()))
      fail(`"columns" maps ${target} to "${src}", which the file does not have.`, { column: src });
  }
  const cols = dataset.columns.filter(
    (c) =>
      m.constants[c.name] === undefined && byLower.has((m.columns[c.name] ?? c.name).toLowerCase()),
  );
  const missing = dataset.columns.filter(
    (c) => c.nullable === false && m.constants[c.name] === undefined && !cols.includes(c),
  );
  if (missing.length > 0)
    fail(
      `the file has no column for ${missing.map((c) => c.name).join(', ')} of ${dataset.name}; add them to "columns" ({"${missing[0]!.name}": "<file column>"}) or "constants".`,
      { missing: missing.map((c) => c.name) },
    );
  return cols;
}

const csvField = (v: string): string =>
  /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;

/**
 * Applies the mapping (columns, symbols, thousands separators, scales, dates and time zones,
 * un-adjustment) and writes a CSV of dataset columns where every record stays on its original
 * line, so the quarantine's line numbers are the original file's. Records that cannot be read
 * are written so that the import quarantines them with their text.
 */
export async function normalizeFile(
  source: SourceRecords,
  dataset: Dataset,
  m: VendorMapping,
  out: string,
  actionsOf: (symbols: string[]) => Promise<Map<string, AdjustmentEvent[]>>,
): Promise<Normalized> {
  const cols = mappedColumns(source.columns, dataset, m);
  const rows = source.records.map((r) => ({
    line: r.line,
    raw: r.raw,
    values: r.values
      ? cols.map((c) =>
          convert(c, r.values!.get((m.columns[c.name] ?? c.name).toLowerCase()) ?? '', m),
        )
      : undefined,
  }));
  const unadjusted = m.adjustments === 'none' ? 0 : await unadjust(rows, cols, m, actionsOf);
  const lines: string[] = source.headerLine ? [cols.map((c) => csvField(c.name)).join(',')] : [];
  for (const r of rows) {
    // Blank lines keep each record on its original line number.
    while (lines.length < r.line - 1) lines.push('');
    lines.push(
      r.values ? r.values.map(csvField).join(',') : csvField(r.raw.join(m.delimiter ?? ',')),
    );
  }
  await writeFile(out, lines.join('\n') + '\n');
  const width = String(cols.length - 1).length;
  const map = source.headerLine
    ? undefined
    : // DuckDB names header-less columns column0.., zero-padded to the width of the last index.
      Object.fromEntries(cols.map((c, i) => [c.name, `column${String(i).padStart(width, '0')}`]));
  return {
    file: out,
    rows: rows.length,
    unadjusted,
    options: {
      format: 'csv',
      header: source.headerLine,
      delimiter: ',',
      map,
      constants: m.constants,
      maxBadRows: m.maxBadRows,
    },
  };
}

async function unadjust(
  rows: { values?: string[] }[],
  cols: ColumnSpec[],
  m: VendorMapping,
  actionsOf: (symbols: string[]) => Promise<Map<string, AdjustmentEvent[]>>,
): Promise<number> {
  const at = (name: string): number => cols.findIndex((c) => c.name === name);
  const idx = {
    symbol: at('symbol'),
    date: at('date'),
    open: at('open'),
    high: at('high'),
    low: at('low'),
    close: at('close'),
    volume: at('volume'),
    vwap: at('vwap'),
  };
  const bySymbol = new Map<string, { bar: AdjustableBar; values: string[] }[]>();
  for (const r of rows) {
    const v = r.values;
    if (!v || idx.symbol < 0 || idx.date < 0) continue;
    const num = (i: number): number => (i < 0 ? Number.NaN : Number(v[i]));
    const bar: AdjustableBar = {
      date: v[idx.date]!,
      open: num(idx.open),
      high: num(idx.high),
      low: num(idx.low),
      close: num(idx.close),
      volume: num(idx.volume),
      vwap: idx.vwap < 0 ? null : num(idx.vwap),
    };
    // Rows the import will quarantine anyway are left as they are.
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(bar.date) ||
      ![bar.open, bar.high, bar.low, bar.close, bar.volume].every(Number.isFinite)
    )
      continue;
    const symbol = v[idx.symbol]!;
    bySymbol.set(symbol, [...(bySymbol.get(symbol) ?? []), { bar, values: v }]);
  }
  const events = await actionsOf([...bySymbol.keys()]);
  let changed = 0;
  for (const [symbol, list] of bySymbol) {
    const factors = unadjustBars(
      list.map((l) => l.bar),
      events.get(symbol) ?? [],
      m.adjustments as 'split' | 'split_dividend',
      m.adjustedAsOf,
    );
    list.sort((a, b) => (a.bar.date < b.bar.date ? -1 : a.bar.date > b.bar.date ? 1 : 0));
    list.forEach(({ bar, values }, i) => {
      if (factors[i] === 1) return;
      changed++;
      for (const k of ['open', 'high', 'low', 'close', 'volume', 'vwap'] as const) {
        const j = idx[k];
        const value = bar[k];
        if (j >= 0 && typeof value === 'number' && Number.isFinite(value))
          values[j] = String(value);
      }
    });
  }
  return changed;
}
