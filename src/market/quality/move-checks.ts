/**
 * Checks over consecutive daily bars of a symbol. They read `_hist` (the scope plus a lookback,
 * so windows at a partition's start see the bars before it) and keep failures in the scope.
 * `_acts(symbol, ex_date)` holds the dates with a corporate action, where big moves are expected.
 */

const BY_SYMBOL = 'PARTITION BY symbol ORDER BY d';
const NO_ACTION =
  'NOT EXISTS (SELECT 1 FROM _acts a WHERE a.symbol = m.symbol AND a.ex_date = m.d)';

/** The same close on `sessions` consecutive bars that traded (volume > 0). */
export function stalePricesSql(sessions: number, inScope: (d: string) => string): string {
  return `SELECT symbol, d, ts, CAST(pos AS DOUBLE) AS value,
      format('close {} unchanged on {} consecutive bars with volume', close, pos) AS message
    FROM (
      SELECT *, sum(CASE WHEN volume > 0 THEN 1 ELSE 0 END) OVER (PARTITION BY symbol, grp ORDER BY d ROWS UNBOUNDED PRECEDING) AS pos
      FROM (
        SELECT *, sum(chg) OVER (${BY_SYMBOL} ROWS UNBOUNDED PRECEDING) AS grp
        FROM (SELECT symbol, d, ts, close, volume,
            CASE WHEN close IS NOT DISTINCT FROM lag(close) OVER (${BY_SYMBOL}) THEN 0 ELSE 1 END AS chg
          FROM _hist)))
    WHERE volume > 0 AND pos >= ${Math.max(2, Math.floor(sessions))} AND ${inScope('d')}`;
}

/** Close-to-close moves between consecutive sessions beyond the exchange's daily price limit. */
export function limitMoveSql(tolerance: number, inScope: (d: string) => string): string {
  return `SELECT m.symbol, m.d, m.ts, m.move AS value,
      format('close moved {}% from {} to {} ({} limit +-{:g}%)', round(m.move * 100, 2), m.prev_close, m.close, c.cal, CAST(round(l.lim * 100, 2) AS DOUBLE)) AS message
    FROM (SELECT symbol, d, ts, close, lag(close) OVER (${BY_SYMBOL}) AS prev_close, lag(d) OVER (${BY_SYMBOL}) AS prev_d,
            close / lag(close) OVER (${BY_SYMBOL}) - 1 AS move
          FROM _hist WHERE close > 0) m
      JOIN _symcal c ON c.symbol = m.symbol
      JOIN _limits l ON l.cal = c.cal AND m.d BETWEEN l.from_d AND l.to_d
      JOIN _sessions x ON x.cal = c.cal AND x.d = m.d AND x.prev_d = m.prev_d
    WHERE ${inScope('m.d')} AND abs(m.move) > l.lim + ${tolerance} AND ${NO_ACTION}`;
}

/**
 * One-day log returns more than `threshold` standard deviations from the symbol's trailing
 * mean (over the previous `window` bars, at least `minPeriods`) and at least `minMove` in size,
 * on a date without a corporate action: the signature of a split the data missed.
 */
export function zscoreMoveSql(
  p: { threshold: number; window: number; minPeriods: number; minMove: number },
  inScope: (d: string) => string,
): string {
  const w = `(${BY_SYMBOL} ROWS BETWEEN ${Math.max(2, Math.floor(p.window))} PRECEDING AND 1 PRECEDING)`;
  return `SELECT symbol, d, ts, z AS value,
      format('close moved {}% from {} to {}: z-score {} over the previous {} bars, no corporate action', round((exp(r) - 1) * 100, 2), prev_close, close, round(z, 1), n) AS message
    FROM (
      SELECT *, (r - avg(r) OVER ${w}) / stddev_samp(r) OVER ${w} AS z, count(r) OVER ${w} AS n
      FROM (SELECT symbol, d, ts, close, lag(close) OVER (${BY_SYMBOL}) AS prev_close,
              CASE WHEN close > 0 AND lag(close) OVER (${BY_SYMBOL}) > 0 THEN ln(close / lag(close) OVER (${BY_SYMBOL})) END AS r
            FROM _hist)) m
    WHERE ${inScope('d')} AND n >= ${Math.floor(p.minPeriods)} AND isfinite(z) AND abs(z) > ${p.threshold}
      AND abs(exp(r) - 1) >= ${p.minMove} AND ${NO_ACTION}`;
}

/** Volume above `multiple` times the average of the previous `window` bars (at least `minPeriods`). */
export function volumeSpikeSql(
  p: { multiple: number; window: number; minPeriods: number },
  inScope: (d: string) => string,
): string {
  const w = `(${BY_SYMBOL} ROWS BETWEEN ${Math.max(1, Math.floor(p.window))} PRECEDING AND 1 PRECEDING)`;
  return `SELECT symbol, d, ts, volume / mean_volume AS value,
      format('volume {} is {}x the average {} of the previous {} bars', volume, round(volume / mean_volume, 1), round(mean_volume, 0), n) AS message
    FROM (SELECT symbol, d, ts, volume, avg(volume) OVER ${w} AS mean_volume, count(volume) OVER ${w} AS n FROM _hist)
    WHERE ${inScope('d')} AND n >= ${Math.floor(p.minPeriods)} AND mean_volume > 0 AND volume > ${p.multiple} * mean_volume`;
}
