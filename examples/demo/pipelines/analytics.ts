// Derived datasets of the SYNTHETIC demo market: a SQL transform, a calendar-aware schedule and a
// command asset (any language; here a Node script, as a Python or Spark job would be).
import { asset, readBars, schedule } from 'marketlake';

/**
 * Total-return-adjusted daily bars of the demo's stocks, materialized: the raw bars with every
 * split and cash dividend applied point in time (what `marketlake bars --adjust total_return`
 * reads on the fly), for engines that read the lake directly.
 */
export const adjusted_bars = asset({
  name: 'adjusted_bars',
  deps: ['us_eod', 'krx_daily', 'demo_actions'],
  dataset: {
    name: 'bars_1d_adjusted',
    description: 'SYNTHETIC demo data: total-return-adjusted daily bars.',
    columns: [
      { name: 'symbol', type: 'VARCHAR', nullable: false },
      { name: 'date', type: 'DATE', nullable: false },
      { name: 'open', type: 'DOUBLE' },
      { name: 'high', type: 'DOUBLE' },
      { name: 'low', type: 'DOUBLE' },
      { name: 'close', type: 'DOUBLE' },
      { name: 'volume', type: 'DOUBLE' },
      { name: 'factor', type: 'DOUBLE' },
    ],
    primaryKey: ['symbol', 'date'],
    partitioning: { kind: 'year', column: 'date' },
  },
  run: async (ctx) => {
    const listed = await ctx.lake.query(
      "SELECT DISTINCT symbol FROM bars_1d WHERE source = 'synthetic-demo' ORDER BY 1",
      { maxRows: 100_000 },
    );
    const symbols = listed.rows.map((r) => String(r['symbol']));
    const { rows } = await readBars(ctx.lake, { symbols, adjust: 'total_return' });
    const out = rows.map(({ symbol, date, open, high, low, close, volume, factor }) => ({
      symbol,
      date,
      open,
      high,
      low,
      close,
      volume,
      factor,
    }));
    await ctx.lake.write('bars_1d_adjusted', { rows: out }, { mode: 'replace' });
    ctx.log.info(`${out.length} adjusted bars of ${symbols.length} symbols`);
  },
});

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
  select: ['adjusted_bars', 'market_breadth', 'lake_report'],
});
