// Derived datasets of the SYNTHETIC demo market: a SQL transform, a calendar-aware schedule and a
// command asset (any language; here a Node script, as a Python or Spark job would be).
import { asset, schedule } from 'marketlake';

/** Per exchange and session: how many bars, how many rose, the average move. */
export const market_breadth = asset({
  name: 'market_breadth',
  deps: ['us_eod', 'krx_daily'],
  description: 'Daily breadth per exchange over the last 120 days (SYNTHETIC data).',
  sql: `
    SELECT i.exchange, b.date,
           count(*) AS bars,
           count(*) FILTER (WHERE b.close > b.open) AS advancers,
           avg(b.close / b.open - 1) AS avg_move
    FROM bars_1d b JOIN instruments i ON i.symbol = b.symbol
    WHERE b.date >= (SELECT max(date) FROM bars_1d) - INTERVAL 120 DAY
    GROUP BY i.exchange, b.date
    ORDER BY b.date, i.exchange`,
});

/** A report written by a script outside TypeScript, with the run's context in its environment. */
export const lake_report = asset({
  name: 'lake_report',
  deps: ['market_breadth'],
  command: ['node', 'scripts/lake-report.mjs'],
  description: 'Counts the Parquet files of each dataset (a command asset).',
});

export const nightly = schedule({
  name: 'nightly_breadth',
  cron: '30 18 * * 1-5',
  timezone: 'America/New_York',
  calendar: 'XNYS',
  select: ['market_breadth', 'lake_report'],
});
