import path from 'node:path';
import { repoRoot } from './child.js';

/** Sizes per scale. `full` is what BENCHMARKS.md reports; `small` checks the scripts in a minute. */
const SCALES = {
  full: {
    sp500Rows: 0, // 0: the whole file (619,040 rows)
    gen: { symbols: 2000, days: 5000 }, // 10,000,000 rows, 2006-01-02 .. 2025-02
    point: { symbols: 5000, years: 10 }, // 13,050,000 rows, 2006 .. 2015
    reads: 1000,
    warmup: 200,
    repeat: 3,
    pipelines: { fanout: 10_000, partitions: 1_000_000, launches: 40 },
  },
  small: {
    sp500Rows: 100_000,
    gen: { symbols: 200, days: 1000 },
    point: { symbols: 300, years: 3 },
    reads: 1000,
    warmup: 100,
    repeat: 1,
    pipelines: { fanout: 1000, partitions: 100_000, launches: 10 },
  },
};

const int = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name}=${raw}: expected a non-negative integer.`);
  return value;
};

/** All benchmark ids, in run order. */
export const BENCHMARKS = [
  'import-sp500',
  'import-generated',
  'point-read',
  'pipelines',
  'pipelines-cluster',
  'metrics-scrape',
  'observe-overhead',
];
/** Raw DuckDB peers of the import benchmarks (see import-duckdb.js). */
export const RAW_VARIANTS = ['copy', 'partitioned', 'per-partition'];

/** The run's configuration: BENCH_SCALE plus per-size overrides from the environment. */
export function loadConfig() {
  const scale = process.env['BENCH_SCALE'] ?? 'full';
  const base = SCALES[scale];
  if (!base) throw new Error(`BENCH_SCALE=${scale}: use ${Object.keys(SCALES).join(' or ')}.`);
  const only = (process.env['BENCH_ONLY'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const b of only)
    if (!BENCHMARKS.includes(b))
      throw new Error(`BENCH_ONLY: unknown benchmark ${b} (known: ${BENCHMARKS.join(', ')}).`);
  const variants = (process.env['BENCH_RAW_VARIANTS'] ?? RAW_VARIANTS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const v of variants)
    if (!RAW_VARIANTS.includes(v))
      throw new Error(
        `BENCH_RAW_VARIANTS: unknown variant ${v} (known: ${RAW_VARIANTS.join(', ')}).`,
      );
  const work = path.resolve(process.env['BENCH_WORK'] ?? path.join(repoRoot, 'bench', '.work'));
  return {
    scale,
    benchmarks: only.length > 0 ? only : BENCHMARKS,
    rawVariants: variants,
    work,
    out: path.resolve(
      process.env['BENCH_OUT'] ??
        (scale === 'full'
          ? path.join(repoRoot, 'BENCHMARKS.md')
          : path.join(work, `BENCHMARKS-${scale}.md`)),
    ),
    sp500:
      process.env['BENCH_SP500_FILE'] ??
      path.resolve(repoRoot, '..', 'shared', 'data', 'prices', 'sp500_5y_iex.csv.gz'),
    sp500Rows: int('BENCH_SP500_ROWS', base.sp500Rows),
    gen: {
      symbols: int('BENCH_GEN_SYMBOLS', base.gen.symbols),
      days: int('BENCH_GEN_DAYS', base.gen.days),
      seed: 1,
    },
    point: {
      symbols: int('BENCH_POINT_SYMBOLS', base.point.symbols),
      years: int('BENCH_POINT_YEARS', base.point.years),
      seed: 7,
    },
    pipelines: base.pipelines,
    pgUrl: process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
    reads: int('BENCH_READS', base.reads),
    warmup: int('BENCH_WARMUP', base.warmup),
    repeat: Math.max(1, int('BENCH_REPEAT', base.repeat)),
    // DuckDB memory limit for every import child (marketlake and raw alike); default the lake's 1GB.
    memoryLimit: process.env['BENCH_MEMORY_LIMIT'] ?? '',
  };
}
