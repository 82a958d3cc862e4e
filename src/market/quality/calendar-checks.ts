import type { Grain } from './types.js';

/**
 * Checks against the exchange calendar. They see `_symcal(symbol, cal, first_d, last_d)` (the
 * calendar of each symbol and the dates it defines), `_sessions(cal, d, prev_d, open_ts,
 * close_ts, break_start, break_end)` and, for intraday bars, `_mscope`: the bars with the
 * session they fall in.
 */

/** Sessions between a symbol's first and last bar (in the scope) without a bar. */
export function missingSessionsSql(grain: Grain, inScope: (d: string) => string): string {
  const bars = grain === 'day' ? '_scope' : '_mscope';
  const bounds =
    grain === 'day'
      ? '_bounds'
      : '(SELECT symbol, min(d) AS first_d, max(d) AS last_d FROM _mscope WHERE d IS NOT NULL GROUP BY symbol)';
  return `SELECT b.symbol, x.d, CAST(NULL AS TIMESTAMP) AS ts, CAST(NULL AS DOUBLE) AS value,
      format('no bar on {} session {}', x.cal, x.d) AS message
    FROM ${bounds} b JOIN _symcal c ON c.symbol = b.symbol
      JOIN _sessions x ON x.cal = c.cal AND x.d BETWEEN b.first_d AND b.last_d
    WHERE ${inScope('x.d')} AND NOT EXISTS (SELECT 1 FROM ${bars} s WHERE s.symbol = b.symbol AND s.d = x.d)`;
}

/** Bars on dates that are not sessions (daily), or outside the session's trading hours (intraday). */
export function unexpectedBarsSql(grain: Grain): string {
  if (grain === 'day') {
    return `SELECT s.symbol, s.d, s.ts, CAST(NULL AS DOUBLE) AS value,
        format('bar on {}, which is not a {} session', s.d, c.cal) AS message
      FROM _scope s JOIN _symcal c ON c.symbol = s.symbol
      WHERE s.d BETWEEN c.first_d AND c.last_d
        AND NOT EXISTS (SELECT 1 FROM _sessions x WHERE x.cal = c.cal AND x.d = s.d)`;
  }
  return `SELECT symbol, d, ts, CAST(NULL AS DOUBLE) AS value,
      format('bar at {} UTC is outside the {} trading hours', ts, cal) AS message
    FROM _mscope
    WHERE cal IS NOT NULL AND (d IS NULL OR ts >= close_ts OR (break_start IS NOT NULL AND ts >= break_start AND ts < break_end))`;
}

/**
 * Runs of missing minutes inside sessions that have at least one bar (a session without any bar
 * is `missing_sessions`' business). One failing key per gap: its first minute; value = length.
 */
export function intradayGapsSql(minMinutes: number): string {
  return `WITH _present AS (
        SELECT DISTINCT symbol, d, open_ts, close_ts, break_start, break_end FROM _mscope
        WHERE d IS NOT NULL AND ts < close_ts),
      _expected AS (
        SELECT symbol, d, break_start, break_end,
          unnest(generate_series(open_ts, close_ts - INTERVAL 1 MINUTE, INTERVAL 1 MINUTE)) AS ts
        FROM _present),
      _missing AS (
        SELECT e.symbol, e.d, e.ts,
          CAST(epoch(e.ts) AS BIGINT) // 60 - row_number() OVER (PARTITION BY e.symbol, e.d ORDER BY e.ts) AS grp
        FROM _expected e
        WHERE NOT (e.break_start IS NOT NULL AND e.ts >= e.break_start AND e.ts < e.break_end)
          AND NOT EXISTS (SELECT 1 FROM _scope s WHERE s.symbol = e.symbol AND s.ts = e.ts))
    SELECT symbol, d, min(ts) AS ts, CAST(count(*) AS DOUBLE) AS value,
      format('{} minute(s) without a bar from {} UTC', count(*), min(ts)) AS message
    FROM _missing GROUP BY symbol, d, grp HAVING count(*) >= ${Math.max(1, Math.floor(minMinutes))}`;
}
