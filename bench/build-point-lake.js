// Benchmark child: builds the lake for the point-read benchmark, `symbols` x `years` of daily
// bars in bars_1d, written through marketlake (one `lake.write({ sql })` per year, so each year
// partition is one file sorted by (symbol, date), as an import of the whole history makes it).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Lake } from '../dist/lake/index.js';
import { openMetaStore } from '../dist/meta/index.js';
import { emit, parseArgs } from './lib/args.js';
import { barsSql } from './lib/gen-bars.js';

// --row-group-size 0 keeps the lake's default; other values are for experiments on read latency.
const args = parseArgs({
  work: undefined,
  symbols: undefined,
  years: undefined,
  seed: '7',
  'row-group-size': '0',
});
const symbols = Number(args.symbols);
const years = Number(args.years);
mkdirSync(args.work, { recursive: true });
const store = await openMetaStore(`sqlite:${path.join(args.work, 'meta.sqlite')}`);
const rowGroupSize = Number(args['row-group-size']);
const lake = await Lake.open({
  store,
  root: path.join(args.work, 'lake'),
  ...(rowGroupSize > 0 ? { rowGroupSize } : {}),
});
try {
  const start = performance.now();
  // 261 weekdays a year from Monday 2006-01-02: `years` whole partitions (2006, 2007, ...).
  // Each write generates only the days around its year (weekday years drift by a day or two).
  const days = years * 261;
  let rows = 0;
  for (let y = 0; y < years; y++) {
    const year = 2006 + y;
    const sql = barsSql({
      symbols,
      days,
      seed: Number(args.seed),
      order: 'none',
      dayRange: [y * 261 - 10, (y + 1) * 261 + 10],
    });
    const result = await lake.write(
      'bars_1d',
      { sql: `SELECT * FROM (${sql}) WHERE year(date) = ${year}` },
      { writer: 'bench', operation: 'bench-build' },
    );
    rows += result.rowsWritten;
  }
  const files = await lake.files('bars_1d');
  emit({
    wallMs: performance.now() - start,
    rows,
    files: files.length,
    bytes: files.reduce((s, f) => s + f.bytes, 0),
  });
} finally {
  lake.close();
  await store.close();
}
