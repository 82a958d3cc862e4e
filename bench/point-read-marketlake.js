// Benchmark child: point reads (all bars of one symbol) through `lake.read`, in-process, after a
// warm-up; reports latency percentiles. `--direct-reads false` makes the lake read through DuckDB
// only (the path every read other than a key lookup takes), to show both side by side.
import path from 'node:path';
import { Lake } from '../dist/lake/index.js';
import { openMetaStore } from '../dist/meta/index.js';
import { emit, parseArgs } from './lib/args.js';
import { peakRssBytes } from './lib/peak-rss.js';
import { latencySummary, mulberry32, symbolName } from './lib/random.js';

const args = parseArgs({
  work: undefined,
  symbols: undefined,
  reads: '1000',
  warmup: '100',
  seed: '42',
  'direct-reads': 'true',
});
const symbols = Number(args.symbols);
const store = await openMetaStore(`sqlite:${path.join(args.work, 'meta.sqlite')}`);
const lake = await Lake.open({
  store,
  root: path.join(args.work, 'lake'),
  directReads: args['direct-reads'] !== 'false',
});
try {
  const random = mulberry32(Number(args.seed));
  const pick = () => symbolName(Math.floor(random() * symbols));
  const expected = (await lake.read('bars_1d', { where: { symbol: symbolName(0) } })).rows.length;
  if (expected === 0)
    throw new Error(`The lake at ${args.work} has no bars for ${symbolName(0)}: rebuild it.`);
  for (let i = 0; i < Number(args.warmup); i++)
    await lake.read('bars_1d', { where: { symbol: pick() } });
  const times = [];
  for (let i = 0; i < Number(args.reads); i++) {
    const symbol = pick();
    const start = performance.now();
    const result = await lake.read('bars_1d', { where: { symbol } });
    times.push(performance.now() - start);
    if (result.rows.length !== expected)
      throw new Error(`${symbol}: ${result.rows.length} rows, expected ${expected}`);
  }
  emit({
    tool: args['direct-reads'] === 'false' ? 'marketlake-duckdb' : 'marketlake',
    rowsPerRead: expected,
    ...latencySummary(times),
    peakRssBytes: peakRssBytes(),
  });
} finally {
  lake.close();
  await store.close();
}
