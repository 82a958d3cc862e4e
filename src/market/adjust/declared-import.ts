import path from 'node:path';
import type { Lake, WriteResult } from '../../lake/index.js';
import { MarketImportFileError } from '../errors.js';
import { MarketInvalidOptionError } from '../errors.js';
import { choiceOption } from '../options.js';
import { ident, literal } from '../sql.js';
import { readCsvHeader } from './file-header.js';

/** What a vendor file's prices already include. */
export type PricesInclude = 'none' | 'split' | 'split_dividend';

/** The declarations `importBarsWithActions` accepts. */
export const pricesIncludeValues: readonly PricesInclude[] = ['none', 'split', 'split_dividend'];

/** Fields of a bars-with-actions file. */
export type BarsFileField =
  'symbol' | 'date' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'dividend' | 'split';

/** Options of `importBarsWithActions`. */
export interface BarsWithActionsOptions {
  /**
   * What the file's prices already include. `split`: prices, per-share dividends and volume are
   * split-adjusted (as zipline's csvdir files are); `split_dividend`: prices are also
   * dividend-adjusted (CRSP-style ratios), normalized to the file's last row. `none`: raw.
   */
  pricesInclude: PricesInclude;
  /** Symbol of every row, when the file has no symbol column. */
  symbol?: string;
  /** Source column of a field when its name differs (`{ dividend: 'ex-dividend' }`). */
  columns?: Partial<Record<BarsFileField, string>>;
  /** strptime format of the date column; default ISO dates or YYYYMMDD. */
  dateFormat?: string;
  delimiter?: string;
  /** Recorded in bars_1d.source and corporate_actions.source; default the file name. */
  source?: string;
  /** Currency of the dividends. */
  currency?: string;
  writer?: string;
  /** ingested_at of the bars (default now). */
  now?: Date;
}

/** What `importBarsWithActions` wrote. */
export interface BarsWithActionsResult {
  file: string;
  pricesInclude: PricesInclude;
  bars: WriteResult;
  actions: WriteResult;
}

const ALIASES: Record<BarsFileField, string[]> = {
  symbol: ['symbol', 'ticker'],
  date: ['date'],
  open: ['open'],
  high: ['high'],
  low: ['low'],
  close: ['close'],
  volume: ['volume'],
  dividend: ['dividend', 'dividends', 'ex-dividend', 'ex_dividend'],
  split: ['split', 'splits', 'split_ratio', 'split_factor'],
};

function resolveFields(
  file: string,
  header: readonly string[],
  options: BarsWithActionsOptions,
): Partial<Record<BarsFileField, string>> {
  const byLower = new Map(header.map((h) => [h.toLowerCase(), h]));
  const out: Partial<Record<BarsFileField, string>> = {};
  const unknown = Object.keys(options.columns ?? {}).filter((k) => !(k in ALIASES));
  if (unknown.length > 0)
    throw new MarketInvalidOptionError('column field', unknown[0], Object.keys(ALIASES).join(', '));
  for (const field of Object.keys(ALIASES) as BarsFileField[]) {
    const given = options.columns?.[field];
    if (given !== undefined) {
      const found = byLower.get(given.toLowerCase());
      if (found === undefined)
        throw new MarketImportFileError(
          `${file} has no column "${given}" (given for ${field}); its columns are ${header.join(', ')}.`,
          { details: { file, field, column: given } },
        );
      out[field] = found;
    } else {
      const found = ALIASES[field].map((a) => byLower.get(a)).find((c) => c !== undefined);
      if (found !== undefined) out[field] = found;
    }
  }
  const required: BarsFileField[] = ['date', 'open', 'high', 'low', 'close', 'volume'];
  if (options.symbol === undefined) required.unshift('symbol');
  const missing = required.filter((f) => out[f] === undefined);
  if (missing.length > 0)
    throw new MarketImportFileError(
      `${file} lacks ${missing.join(', ')} (columns: ${header.join(', ')}). Name the source columns ` +
        `(columns: { ${missing[0]}: '...' })${missing.includes('symbol') ? ' or give the symbol' : ''}.`,
      { details: { file, missing } },
    );
  return out;
}

/**
 * SQL of the file's rows with raw prices: `k(symbol, date, open, high, low, close, volume,
 * dividend, split, s_after, d_after)`. `s_after` is the product of the split ratios after the row,
 * `d_after` the product of the dividend ratios after it, each dividend ratio found backwards
 * from the file's end (a recursive CTE over the few ex-dates): g = 1 / (1 + dividend * d_after /
 * previous adjusted close), which is 1 - raw dividend / raw previous close written in the
 * file's own (adjusted) units.
 */
function rawRowsSql(
  file: string,
  fields: Partial<Record<BarsFileField, string>>,
  options: BarsWithActionsOptions,
): string {
  const col = (f: BarsFileField): string => ident(fields[f] ?? f);
  const dbl = (f: BarsFileField): string => `TRY_CAST(${col(f)} AS DOUBLE)`;
  const date = options.dateFormat
    ? `CAST(try_strptime(${col('date')}, ${literal(options.dateFormat)}) AS DATE)`
    : `COALESCE(TRY_CAST(${col('date')} AS DATE), CAST(try_strptime(${col('date')}, '%Y%m%d') AS DATE))`;
  const symbol = options.symbol !== undefined ? literal(options.symbol) : `trim(${col('symbol')})`;
  const dividend = fields.dividend ? `COALESCE(${dbl('dividend')}, 0)` : '0';
  const split = fields.split ? `COALESCE(NULLIF(${dbl('split')}, 0), 1)` : '1';
  const reader = `read_csv(${literal(file)}, all_varchar = true, header = true${options.delimiter ? `, delim = ${literal(options.delimiter)}` : ''})`;
  const later = (q: string): string =>
    `(PARTITION BY ${q}symbol ORDER BY ${q}date DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)`;
  const include = options.pricesInclude;
  return `WITH RECURSIVE
    src AS (SELECT ${symbol} AS symbol, ${date} AS date, ${dbl('open')} AS open, ${dbl('high')} AS high,
      ${dbl('low')} AS low, ${dbl('close')} AS close, ${dbl('volume')} AS volume,
      CAST(${dividend} AS DOUBLE) AS dividend, CAST(${split} AS DOUBLE) AS split FROM ${reader}),
    w AS (SELECT *, lag(close) OVER (PARTITION BY symbol ORDER BY date) AS prev_close,
      ${include === 'none' ? 'CAST(1 AS DOUBLE)' : `COALESCE(product(CASE WHEN split <> 1 THEN split END) OVER ${later('')}, 1)`} AS s_after
      FROM src),
    divs AS (SELECT symbol, date, dividend, prev_close,
      row_number() OVER (PARTITION BY symbol ORDER BY date DESC) AS n
      FROM w WHERE ${include === 'split_dividend' ? 'dividend > 0 AND prev_close > 0' : 'false'}),
    rec(symbol, n, date, g, d_after) AS (
      SELECT symbol, n, date, 1 / (1 + dividend / prev_close), CAST(1 AS DOUBLE) FROM divs WHERE n = 1
      UNION ALL
      SELECT d.symbol, d.n, d.date, 1 / (1 + d.dividend * r.d_after * r.g / d.prev_close), r.d_after * r.g
      FROM rec r JOIN divs d ON d.symbol = r.symbol AND d.n = r.n + 1),
    k AS (SELECT w.*, COALESCE(product(rec.g) OVER ${later('w.')}, 1) AS d_after
      FROM w LEFT JOIN rec ON rec.symbol = w.symbol AND rec.date = w.date)`;
}

/**
 * Imports one vendor file of daily bars with dividend and split columns into bars_1d (raw
 * prices) and corporate_actions. Prices the file declares as already adjusted are un-adjusted
 * (multiplied back) before they are stored, so reads apply each action exactly once
 * (docs/decisions/0003-price-adjustments.md). Bars are written first, then the actions; both
 * writes upsert, so a repeated import converges.
 */
export async function importBarsWithActions(
  lake: Lake,
  file: string,
  options: BarsWithActionsOptions,
): Promise<BarsWithActionsResult> {
  const pricesInclude = choiceOption(
    'pricesInclude',
    options.pricesInclude,
    pricesIncludeValues,
    'none',
  );
  const resolved = path.resolve(file);
  const fields = resolveFields(resolved, await readCsvHeader(resolved, options.delimiter), options);
  const base = rawRowsSql(resolved, fields, { ...options, pricesInclude });
  const source = literal(options.source ?? path.basename(resolved));
  const currency =
    options.currency === undefined ? 'CAST(NULL AS VARCHAR)' : literal(options.currency);
  const ingestedAt = literal(
    (options.now ?? new Date()).toISOString().replace('T', ' ').replace('Z', ''),
  );
  const writeOptions = { writer: options.writer ?? 'import', operation: 'import' };
  const bars = await lake.write(
    'bars_1d',
    {
      sql: `${base} SELECT symbol, date, open * s_after / d_after AS open, high * s_after / d_after AS high,
        low * s_after / d_after AS low, close * s_after / d_after AS close, volume / s_after AS volume,
        CAST(NULL AS DOUBLE) AS vwap, CAST(NULL AS DOUBLE) AS turnover, ${source} AS source,
        CAST(${ingestedAt} AS TIMESTAMP) AS ingested_at FROM k`,
    },
    writeOptions,
  );
  const actionColumns = (type: string, value: string, where: string): string =>
    `SELECT symbol, date AS ex_date, '${type}' AS type, ${value} AS value, ${type === 'cash_dividend' ? currency : 'CAST(NULL AS VARCHAR)'} AS currency,
       CAST(NULL AS VARCHAR) AS new_symbol, CAST(NULL AS DATE) AS announced_date, ${source} AS source FROM k WHERE ${where}`;
  const actions = await lake.write(
    'corporate_actions',
    {
      sql: `${base} ${actionColumns('split', 'split', 'split <> 1')} UNION ALL ${actionColumns('cash_dividend', 'dividend * s_after', 'dividend <> 0')}`,
    },
    writeOptions,
  );
  return { file: resolved, pricesInclude, bars, actions };
}
