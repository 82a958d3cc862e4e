// Benchmark child: the raw DuckDB peer of point-read-marketlake.js. The same query over the
// same Parquet files (a glob of the freshly built lake, which holds only committed files), as
// one prepared statement on one connection, with the lake's DuckDB settings (1 GB, all cores,
// Parquet metadata cache on); rows become JSON objects through the DuckDB Node API's own
// converter (`getRowObjectsJson`), as a user of the raw engine would write it.
import path from 'node:path';
import { emit, parseArgs } from './lib/args.js';
import { openDuck, quote } from './lib/duck.js';
import { peakRssBytes } from './lib/peak-rss.js';
import { latencySummary, mulberry32, symbolName } from './lib/random.js';

const args = parseArgs({
  work: undefined,
  symbols: undefined,
  reads: '1000',
  warmup: '100',
  seed: '42',
});
const symbols = Number(args.symbols);
const { instance, conn } = await openDuck({ tempDir: path.join(args.work, 'tmp-raw') });
try {
  await conn.run('SET parquet_metadata_cache = true');
  const glob = quote(path.join(args.work, 'lake', 'bars_1d', '*', '*.parquet'));
  const columns =
    'symbol, date, open, high, low, close, volume, vwap, turnover, source, ingested_at';
  const statement = await conn.prepare(
    `SELECT ${columns} FROM read_parquet(${glob}, hive_partitioning = false) WHERE symbol = $1 ORDER BY symbol, date`,
  );
  const read = async (symbol) => {
    statement.bindVarchar(1, symbol);
    return (await statement.runAndReadAll()).getRowObjectsJson();
  };
  const random = mulberry32(Number(args.seed));
  const pick = () => symbolName(Math.floor(random() * symbols));
  const expected = (await read(symbolName(0))).length;
  for (let i = 0; i < Number(args.warmup); i++) await read(pick());
  const times = [];
  for (let i = 0; i < Number(args.reads); i++) {
    const symbol = pick();
    const start = performance.now();
    const rows = await read(symbol);
    times.push(performance.now() - start);
    if (rows.length !== expected)
      throw new Error(`${symbol}: ${rows.length} rows, expected ${expected}`);
  }
  emit({
    tool: 'duckdb',
    rowsPerRead: expected,
    ...latencySummary(times),
    peakRssBytes: peakRssBytes(),
  });
} finally {
  conn.closeSync();
  instance.closeSync();
}
