// Benchmark child: the raw DuckDB peer of import-marketlake.js, in its own process with the same
// DuckDB settings as the lake (1 GB memory limit, all cores, zstd). Variants:
//   copy           COPY (SELECT ... FROM read_csv(file)) TO one Parquet file: auto-detected
//                  types, no checks, no sort, no partitions (the baseline).
//   partitioned    typed read_csv + ORDER BY (symbol, date) + PARTITION_BY (year), one
//                  statement: the same output layout as marketlake, no row checks. DuckDB's
//                  partitioned writer does not keep the global order inside each file (a few
//                  sorted runs per file), so it does slightly less than marketlake.
//   per-partition  typed read_csv into a temp table, then one sorted COPY per year: what
//                  marketlake does, minus row checks, duplicate detection, quarantine, stats
//                  and the catalog commit.
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { emit, parseArgs } from './lib/args.js';
import { openDuck, quote } from './lib/duck.js';
import { peakRssBytes } from './lib/peak-rss.js';

const args = parseArgs({
  file: undefined,
  work: undefined,
  variant: undefined,
  'memory-limit': '',
});
mkdirSync(args.work, { recursive: true });
const { instance, conn } = await openDuck({
  tempDir: path.join(args.work, 'tmp'),
  memoryLimit: args['memory-limit'] || '512MB',
});
const out = path.join(args.work, 'out');
const typed = `read_csv(${quote(args.file)}, header = true, columns = {'date': 'DATE', 'open': 'DOUBLE', 'high': 'DOUBLE', 'low': 'DOUBLE', 'close': 'DOUBLE', 'volume': 'DOUBLE', 'symbol': 'VARCHAR'})`;
const cols = 'symbol, date, open, high, low, close, volume';
const parquet = 'FORMAT parquet, COMPRESSION zstd';

const start = performance.now();
if (args.variant === 'copy') {
  mkdirSync(out, { recursive: true });
  await conn.run(
    `COPY (SELECT ${cols} FROM read_csv(${quote(args.file)})) TO ${quote(path.join(out, 'data.parquet'))} (${parquet})`,
  );
} else if (args.variant === 'partitioned') {
  await conn.run(
    `COPY (SELECT ${cols}, year(date) AS year FROM ${typed} ORDER BY symbol, date) TO ${quote(out)} (${parquet}, ROW_GROUP_SIZE 16384, PARTITION_BY (year))`,
  );
} else if (args.variant === 'per-partition') {
  await conn.run(`CREATE TEMP TABLE staged AS SELECT ${cols}, year(date) AS year FROM ${typed}`);
  const years = (await conn.runAndReadAll('SELECT DISTINCT year FROM staged ORDER BY year'))
    .getRows()
    .map((r) => Number(r[0]));
  for (const year of years) {
    const dir = path.join(out, `year=${year}`);
    mkdirSync(dir, { recursive: true });
    await conn.run(
      `COPY (SELECT ${cols} FROM staged WHERE year = ${year} ORDER BY symbol, date) TO ${quote(path.join(dir, 'part-0.parquet'))} (${parquet}, ROW_GROUP_SIZE 16384)`,
    );
  }
} else {
  throw new Error(`Unknown --variant ${args.variant}: use copy, partitioned or per-partition.`);
}
const wallMs = performance.now() - start;
const peak = peakRssBytes();

const files = readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.parquet'));
const glob = quote(path.join(out, '**', '*.parquet'));
const stats = (
  await conn.runAndReadAll(
    `SELECT sum(num_rows)::BIGINT AS rows FROM parquet_file_metadata(${glob})`,
  )
).getRowObjectsJson()[0];
conn.closeSync();
instance.closeSync();
emit({
  tool: `duckdb-${args.variant}`,
  wallMs,
  rows: Number(stats?.['rows'] ?? 0),
  files: files.length,
  peakRssBytes: peak,
});
