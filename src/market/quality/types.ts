/** Names of the built-in market-data checks. */
export type CheckName =
  | 'ohlc_consistency'
  | 'non_negative_volume'
  | 'duplicate_keys'
  | 'missing_sessions'
  | 'unexpected_bars'
  | 'stale_prices'
  | 'limit_move'
  | 'zscore_move'
  | 'volume_spike'
  | 'intraday_gaps';

/** How bad a failing check is: `warn` reports, `error` marks the data as wrong. */
export type Severity = 'warn' | 'error';

/** Bar granularity a check understands: daily bars (a `date` column) or intraday bars (`ts`). */
export type Grain = 'day' | 'minute';

/** A check to run, with overrides of its defaults. */
export interface CheckConfig {
  name: CheckName;
  severity?: Severity;
  /** Whether a failure blocks downstream assets (default: true for `error` severity). */
  blocking?: boolean;
  /** Numeric parameters (see `checkCatalog` for each check's names and defaults). */
  params?: Record<string, number>;
}

/** One failing key. */
export interface CheckFailure {
  check: CheckName;
  severity: Severity;
  /** The key as text: `symbol|date` or `symbol|timestamp`. */
  key: string;
  symbol: string;
  /** Session date (daily bars, or the session of an intraday bar). */
  date?: string;
  /** Bar start, UTC (intraday). */
  ts?: string;
  value?: number;
  message: string;
}

/** The outcome of one check in a run. */
export interface CheckResult {
  check: CheckName;
  severity: Severity;
  blocking: boolean;
  passed: boolean;
  failingCount: number;
  params: Record<string, number>;
  /** The first failing keys (all of them are stored in `check_failures`). */
  examples: CheckFailure[];
}

/** What `runMarketChecks` returns. */
export interface MarketCheckSummary {
  runId: string;
  /** Name recorded as the asset (default the dataset). */
  asset: string;
  dataset: string;
  /** The partition checked (`year=2017`), or '' for the whole dataset. */
  partition: string;
  ranAt: string;
  checkedRows: number;
  /** True when every check passed. */
  passed: boolean;
  /** True when a blocking check failed: downstream assets should not run. */
  blocked: boolean;
  /** Checks that failed, with `error` severity. */
  errors: CheckName[];
  /** Checks that failed, with `warn` severity. */
  warnings: CheckName[];
  results: CheckResult[];
  /** Symbols the calendar checks skipped: no calendar given and no known exchange in instruments. */
  symbolsWithoutCalendar: string[];
  durationMs: number;
}
