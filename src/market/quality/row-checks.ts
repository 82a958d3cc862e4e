/**
 * Checks of single bars and keys. Each returns a SELECT over the runner's CTEs (see
 * check-scope.ts) yielding the failing keys as (symbol, d, ts, value, message).
 */

const PRICES = ['open', 'high', 'low', 'close'];

/** low <= min(open, close), max(open, close) <= high, every price present and > 0. */
export function ohlcConsistencySql(): string {
  const missing = PRICES.map((p) => `${p} IS NULL`).join(' OR ');
  const nonPositive = PRICES.map((p) => `${p} <= 0`).join(' OR ');
  const lowBad = 'low > least(open, close)';
  const highBad = 'high < greatest(open, close)';
  return `SELECT symbol, d, ts,
      CASE WHEN ${lowBad} THEN low - least(open, close) WHEN ${highBad} THEN greatest(open, close) - high END AS value,
      concat_ws('; ',
        CASE WHEN ${missing} THEN 'a price is missing' END,
        CASE WHEN ${nonPositive} THEN 'a price is zero or negative' END,
        CASE WHEN ${lowBad} THEN format('low {} > min(open {}, close {})', low, open, close) END,
        CASE WHEN ${highBad} THEN format('high {} < max(open {}, close {})', high, open, close) END) AS message
    FROM _scope WHERE ${missing} OR ${nonPositive} OR ${lowBad} OR ${highBad}`;
}

/** Volume present and >= 0. */
export function nonNegativeVolumeSql(): string {
  return `SELECT symbol, d, ts, volume AS value,
      CASE WHEN volume IS NULL THEN 'volume is missing' ELSE format('volume {} is negative', volume) END AS message
    FROM _scope WHERE volume IS NULL OR volume < 0`;
}

/** Keys (symbol and date, or symbol and bar start) held by more than one row. */
export function duplicateKeysSql(): string {
  return `SELECT symbol, d, ts, CAST(count(*) AS DOUBLE) AS value,
      format('{} rows share this key', count(*)) AS message
    FROM _scope GROUP BY symbol, d, ts HAVING count(*) > 1`;
}
