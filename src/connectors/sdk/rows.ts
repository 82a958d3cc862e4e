import { parseDay } from '../../core/index.js';
import type { DatasetSpec } from '../../lake/index.js';

/** A daily bar as a connector maps it (raw, unadjusted prices; `date` is 'YYYY-MM-DD' local). */
export interface BarRow {
  symbol: string;
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap?: number | null;
  turnover?: number | null;
}

/** A one-minute bar (or another intraday bar) whose start `ts` is 'YYYY-MM-DD HH:MM:SS' UTC. */
export interface IntradayBarRow {
  symbol: string;
  ts: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap?: number | null;
  trades?: number | null;
}

/** A split, dividend or symbol change (`value`: new shares per old share, or cash per share). */
export interface CorporateActionRow {
  symbol: string;
  ex_date: string;
  type: 'split' | 'cash_dividend' | 'stock_dividend' | 'symbol_change';
  value?: number | null;
  currency?: string | null;
  new_symbol?: string | null;
  announced_date?: string | null;
}

/** An instruments-master row (`exchange` is an ISO 10383 MIC). */
export interface InstrumentRow {
  symbol: string;
  exchange: string;
  name?: string | null;
  type?: string | null;
  currency?: string | null;
  isin?: string | null;
  local_code?: string | null;
  sector?: string | null;
  listed_date?: string | null;
  delisted_date?: string | null;
}

/** One observation of a macro or FX series (`symbol` is the series id, e.g. DGS10, EURUSD). */
export interface SeriesRow {
  symbol: string;
  date: string;
  value: number;
}

/** What `map` returns: rows per standard dataset. */
export interface MappedRows {
  bars_1d?: BarRow[];
  bars_1m?: IntradayBarRow[];
  corporate_actions?: CorporateActionRow[];
  instruments?: InstrumentRow[];
  series_1d?: SeriesRow[];
}

/** Names of the datasets connectors write. */
export type TargetDataset = keyof MappedRows;

/** Every target dataset, in write order (instruments before the data that names them). */
export const targetDatasets: readonly TargetDataset[] = [
  'instruments',
  'corporate_actions',
  'bars_1d',
  'bars_1m',
  'series_1d',
];

/**
 * Macro and FX series: one value per series and date. Kept apart from bars_1d because a series
 * value may be zero or negative (rates, spreads), which bars_1d's price checks reject.
 */
export const series1d: DatasetSpec = {
  name: 'series_1d',
  description: 'Daily macro and FX series (FRED, ECB): one value per series id and date.',
  columns: [
    {
      name: 'symbol',
      type: 'VARCHAR',
      nullable: false,
      description: 'Series id, e.g. DGS10, EURUSD',
    },
    { name: 'date', type: 'DATE', nullable: false, description: 'Observation date' },
    { name: 'value', type: 'DOUBLE', nullable: false },
    { name: 'source', type: 'VARCHAR', description: 'Connector that wrote the value' },
    {
      name: 'ingested_at',
      type: 'TIMESTAMP',
      description: 'When marketlake wrote the value (UTC)',
    },
  ],
  primaryKey: ['symbol', 'date'],
  partitioning: { kind: 'year', column: 'date' },
};

/** Primary key columns of each target dataset (rows repeating one are collapsed, last wins). */
export const keyColumns: Record<TargetDataset, readonly string[]> = {
  bars_1d: ['symbol', 'date'],
  bars_1m: ['symbol', 'ts'],
  corporate_actions: ['symbol', 'ex_date', 'type'],
  instruments: ['exchange', 'symbol'],
  series_1d: ['symbol', 'date'],
};

/** A row a connector produced that cannot be stored, with the reason. */
export interface RejectedRow {
  dataset: TargetDataset;
  row: Record<string, unknown>;
  reason: string;
}

const TS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const blank = (v: unknown): boolean => typeof v !== 'string' || v.trim() === '';

function barProblem(r: Omit<BarRow, 'date'>): string | undefined {
  for (const k of ['open', 'high', 'low', 'close', 'volume'] as const)
    if (!finite(r[k])) return `${k} is ${String(r[k])}, not a number`;
  if (r.open <= 0 || r.high <= 0 || r.low <= 0 || r.close <= 0)
    return 'a price is zero or negative';
  if (r.high < r.low) return 'high < low';
  if (r.volume < 0) return 'volume is negative';
  return undefined;
}

/** Why a mapped row cannot be stored (the lake's rules, checked before the write), or undefined. */
export function rowProblem(
  dataset: TargetDataset,
  row: Record<string, unknown>,
): string | undefined {
  if (blank(row['symbol'])) return 'symbol is blank';
  switch (dataset) {
    case 'bars_1d':
      if (parseDay(row['date']) === undefined)
        return `date "${String(row['date'])}" is not YYYY-MM-DD`;
      return barProblem(row as unknown as BarRow);
    case 'bars_1m':
      if (typeof row['ts'] !== 'string' || !TS.test(row['ts']))
        return `ts "${String(row['ts'])}" is not YYYY-MM-DD HH:MM:SS`;
      return barProblem(row as unknown as IntradayBarRow);
    case 'series_1d':
      if (parseDay(row['date']) === undefined)
        return `date "${String(row['date'])}" is not YYYY-MM-DD`;
      return finite(row['value']) ? undefined : `value is ${String(row['value'])}, not a number`;
    case 'corporate_actions': {
      if (parseDay(row['ex_date']) === undefined)
        return `ex_date "${String(row['ex_date'])}" is not YYYY-MM-DD`;
      const type = row['type'];
      if (!['split', 'cash_dividend', 'stock_dividend', 'symbol_change'].includes(String(type)))
        return `type "${String(type)}" is not split, cash_dividend, stock_dividend or symbol_change`;
      const value = row['value'];
      if (value !== undefined && value !== null && (!finite(value) || value <= 0))
        return 'value must be positive';
      return undefined;
    }
    case 'instruments':
      return blank(row['exchange']) ? 'exchange is blank' : undefined;
  }
}

/**
 * Splits mapped rows into storable rows (deduplicated by key, the last one wins: later pages
 * correct earlier ones) and rejected rows with reasons.
 */
export function checkRows(
  dataset: TargetDataset,
  rows: readonly Record<string, unknown>[],
): { good: Record<string, unknown>[]; rejected: RejectedRow[] } {
  const byKey = new Map<string, Record<string, unknown>>();
  const rejected: RejectedRow[] = [];
  const keys = keyColumns[dataset];
  for (const row of rows) {
    const reason = rowProblem(dataset, row);
    if (reason) rejected.push({ dataset, row, reason });
    else byKey.set(keys.map((k) => String(row[k])).join('\u0000'), row);
  }
  return { good: [...byKey.values()], rejected };
}
