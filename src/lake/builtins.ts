import type { DatasetSpec, RowCheck } from './dataset-spec.js';

const barChecks: RowCheck[] = [
  {
    name: 'positive_prices',
    sql: 'open > 0 AND high > 0 AND low > 0 AND close > 0',
    message: 'a price is zero or negative',
  },
  { name: 'high_ge_low', sql: 'high >= low', message: 'high < low' },
  { name: 'non_negative_volume', sql: 'volume >= 0', message: 'volume is negative' },
];

/** Daily bars: raw (unadjusted) prices per symbol and session date, partitioned by year. */
export const bars1d: DatasetSpec = {
  name: 'bars_1d',
  description: 'Daily OHLCV bars, raw (unadjusted) prices, one row per symbol and session date.',
  columns: [
    { name: 'symbol', type: 'VARCHAR', nullable: false },
    {
      name: 'date',
      type: 'DATE',
      nullable: false,
      description: 'Session date in the exchange calendar',
    },
    { name: 'open', type: 'DOUBLE', nullable: false },
    { name: 'high', type: 'DOUBLE', nullable: false },
    { name: 'low', type: 'DOUBLE', nullable: false },
    { name: 'close', type: 'DOUBLE', nullable: false },
    {
      name: 'volume',
      type: 'DOUBLE',
      nullable: false,
      description: 'Shares or units traded (fractional for crypto)',
    },
    { name: 'vwap', type: 'DOUBLE' },
    { name: 'turnover', type: 'DOUBLE', description: 'Traded value in the quote currency' },
    {
      name: 'source',
      type: 'VARCHAR',
      description: 'Where the bar came from (vendor file, provider)',
    },
    { name: 'ingested_at', type: 'TIMESTAMP', description: 'When marketlake wrote the bar (UTC)' },
  ],
  primaryKey: ['symbol', 'date'],
  partitioning: { kind: 'year', column: 'date' },
  checks: barChecks,
};

/** Minute bars, partitioned by UTC date. */
export const bars1m: DatasetSpec = {
  name: 'bars_1m',
  description: 'One-minute OHLCV bars, raw prices, one row per symbol and bar start time (UTC).',
  columns: [
    { name: 'symbol', type: 'VARCHAR', nullable: false },
    { name: 'ts', type: 'TIMESTAMP', nullable: false, description: 'Bar start, UTC' },
    { name: 'open', type: 'DOUBLE', nullable: false },
    { name: 'high', type: 'DOUBLE', nullable: false },
    { name: 'low', type: 'DOUBLE', nullable: false },
    { name: 'close', type: 'DOUBLE', nullable: false },
    { name: 'volume', type: 'DOUBLE', nullable: false },
    { name: 'vwap', type: 'DOUBLE' },
    { name: 'trades', type: 'BIGINT' },
    { name: 'source', type: 'VARCHAR' },
    { name: 'ingested_at', type: 'TIMESTAMP' },
  ],
  primaryKey: ['symbol', 'ts'],
  partitioning: { kind: 'date', column: 'ts' },
  checks: barChecks,
};

/** The instruments master. */
export const instruments: DatasetSpec = {
  name: 'instruments',
  description: 'Instruments master: one row per symbol and exchange (ISO 10383 MIC).',
  columns: [
    { name: 'symbol', type: 'VARCHAR', nullable: false },
    {
      name: 'exchange',
      type: 'VARCHAR',
      nullable: false,
      description: 'ISO 10383 MIC, e.g. XNYS, XKRX',
    },
    { name: 'name', type: 'VARCHAR' },
    {
      name: 'type',
      type: 'VARCHAR',
      description: 'stock, etf, etn, index, fx (pair), crypto (pair), rate, macro (series)',
    },
    { name: 'currency', type: 'VARCHAR' },
    { name: 'isin', type: 'VARCHAR' },
    { name: 'local_code', type: 'VARCHAR', description: 'Exchange short code, e.g. KRX 005930' },
    { name: 'sector', type: 'VARCHAR' },
    { name: 'listed_date', type: 'DATE' },
    { name: 'delisted_date', type: 'DATE' },
  ],
  primaryKey: ['exchange', 'symbol'],
  partitioning: { kind: 'none' },
  checks: [
    {
      name: 'known_type',
      sql: "type IN ('stock', 'etf', 'etn', 'index', 'fx', 'crypto', 'rate', 'macro')",
      message: 'type must be stock, etf, etn, index, fx, crypto, rate or macro',
    },
    {
      name: 'listing_order',
      sql: 'delisted_date >= listed_date',
      message: 'delisted_date is before listed_date',
    },
  ],
};

/** Splits, dividends and symbol changes. */
export const corporateActions: DatasetSpec = {
  name: 'corporate_actions',
  description: 'Corporate actions: splits, cash and stock dividends, symbol changes, by ex-date.',
  columns: [
    { name: 'symbol', type: 'VARCHAR', nullable: false },
    { name: 'ex_date', type: 'DATE', nullable: false },
    {
      name: 'type',
      type: 'VARCHAR',
      nullable: false,
      description: 'split, cash_dividend, stock_dividend, symbol_change',
    },
    {
      name: 'value',
      type: 'DOUBLE',
      description: 'Split ratio (new shares per old) or dividend per share',
    },
    { name: 'currency', type: 'VARCHAR' },
    { name: 'new_symbol', type: 'VARCHAR' },
    { name: 'announced_date', type: 'DATE' },
    { name: 'source', type: 'VARCHAR' },
  ],
  primaryKey: ['symbol', 'ex_date', 'type'],
  partitioning: { kind: 'none' },
  checks: [{ name: 'positive_value', sql: 'value > 0', message: 'value must be positive' }],
};

/** Market-data quality check executions: one row per check run over an asset's partition. */
export const checkRuns: DatasetSpec = {
  name: 'check_runs',
  description: 'Quality check executions: one row per check, asset and partition per run.',
  columns: [
    { name: 'run_id', type: 'VARCHAR', nullable: false },
    { name: 'asset', type: 'VARCHAR', nullable: false, description: 'Dataset (asset) checked' },
    {
      name: 'partition',
      type: 'VARCHAR',
      nullable: false,
      description: "Partition checked, e.g. year=2017; '' for the whole dataset",
    },
    { name: 'check', type: 'VARCHAR', nullable: false },
    { name: 'severity', type: 'VARCHAR', nullable: false, description: 'warn or error' },
    { name: 'blocking', type: 'BOOLEAN', nullable: false },
    { name: 'passed', type: 'BOOLEAN', nullable: false },
    { name: 'failing_count', type: 'BIGINT', nullable: false },
    { name: 'checked_rows', type: 'BIGINT', description: 'Rows in the checked scope' },
    { name: 'params', type: 'VARCHAR', description: 'Check parameters as JSON' },
    { name: 'duration_ms', type: 'BIGINT' },
    { name: 'ran_at', type: 'TIMESTAMP', nullable: false, description: 'UTC' },
  ],
  // No key: results are an append-only log (a key would rewrite the month on every run).
  primaryKey: [],
  partitioning: { kind: 'month', column: 'ran_at' },
};

/** Every failing key of every quality check run (no cap). */
export const checkFailures: DatasetSpec = {
  name: 'check_failures',
  description: 'Every failing key of every quality check run, with the offending value.',
  columns: [
    { name: 'run_id', type: 'VARCHAR', nullable: false },
    { name: 'asset', type: 'VARCHAR', nullable: false },
    { name: 'partition', type: 'VARCHAR', nullable: false },
    { name: 'check', type: 'VARCHAR', nullable: false },
    { name: 'severity', type: 'VARCHAR', nullable: false },
    {
      name: 'key',
      type: 'VARCHAR',
      nullable: false,
      description: 'The failing key as text, e.g. AAPL|2014-06-09',
    },
    { name: 'symbol', type: 'VARCHAR' },
    { name: 'date', type: 'DATE', description: 'Session date (daily checks)' },
    { name: 'ts', type: 'TIMESTAMP', description: 'Bar start, UTC (intraday checks)' },
    { name: 'value', type: 'DOUBLE', description: 'The offending value (move, count, ...)' },
    { name: 'message', type: 'VARCHAR' },
    { name: 'ran_at', type: 'TIMESTAMP', nullable: false },
  ],
  primaryKey: [],
  partitioning: { kind: 'month', column: 'ran_at' },
};

/** Datasets every marketlake home has, declared in code. */
export const builtinDatasets: readonly DatasetSpec[] = [
  instruments,
  bars1d,
  bars1m,
  corporateActions,
  checkRuns,
  checkFailures,
];
