import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDuck, quote } from './duck.js';

/**
 * SQL for `symbols x days` synthetic daily bars, a pure function of (symbol, day, seed): integer
 * mixing instead of random() (whose order depends on threads), so every run and every machine
 * writes the same file. Days are weekdays from Monday 2006-01-02; prices have two decimals and
 * satisfy the bars_1d checks (positive, high >= max(open, close), low <= min(open, close)).
 * `dayRange` limits the days generated (the values do not depend on it), and `order: 'none'`
 * leaves the order to DuckDB (for writes, which sort anyway).
 * @param {{ symbols: number, days: number, seed: number, order?: 'date' | 'symbol' | 'none', startDay?: string, dayRange?: [number, number] }} spec
 */
export function barsSql(spec) {
  const order =
    spec.order === 'none'
      ? ''
      : `ORDER BY ${spec.order === 'symbol' ? 'symbol, date' : 'date, symbol'}`;
  const [dayFrom, dayTo] = spec.dayRange ?? [0, spec.days];
  const start = spec.startDay ?? '2006-01-02';
  // h(k): a 31-bit hash of (symbol, day, seed, k): two Park-Miller steps over a linear mix, all
  // within INT64.
  const h = (k) =>
    `((((s * 2654435761 + d * 40503 + ${spec.seed * 7919 + k * 104729}) % 2147483647) * 48271 % 2147483647) * 48271 % 2147483647)`;
  return `
    WITH grid AS (
      SELECT s, d FROM range(${spec.symbols}) a(s), range(${Math.max(0, dayFrom)}, ${Math.min(spec.days, dayTo)}) b(d)
    ), raw AS (
      SELECT
        'S' || lpad(CAST(s AS VARCHAR), 5, '0') AS symbol,
        DATE '${start}' + CAST(d // 5 * 7 + d % 5 AS INTEGER) AS date,
        (10 + (s * 7919) % 490) * (1.5 + sin(d / 180.0 + s)) AS mid,
        (${h(1)} % 400 - 200) / 10000.0 AS o,
        (${h(2)} % 400 - 200) / 10000.0 AS c,
        (${h(3)} % 100) / 10000.0 AS up,
        (${h(4)} % 100) / 10000.0 AS dn,
        ${h(5)} % 5000000 AS volume
      FROM grid
    ), px AS (
      SELECT symbol, date, round(mid * (1 + o), 2) AS open, round(mid * (1 + c), 2) AS close, up, dn, volume FROM raw
    )
    SELECT date, open, round(greatest(open, close) * (1 + up), 2) AS high,
           round(least(open, close) * (1 - dn), 2) AS low, close, volume, symbol
    FROM px ${order}`;
}

/**
 * Writes the bars CSV once (columns in the order of the S&P 500 vendor file) and reuses it while
 * its parameters are unchanged.
 * @param {string} file
 * @param {{ symbols: number, days: number, seed: number, order?: 'date' | 'symbol' }} spec
 * @param {string} tempDir
 * @returns {Promise<{ file: string, rows: number, generated: boolean }>}
 */
export async function ensureBarsCsv(file, spec, tempDir) {
  const stamp = `${file}.json`;
  const wanted = JSON.stringify(spec);
  if (existsSync(file) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
    return { file, rows: spec.symbols * spec.days, generated: false };
  }
  mkdirSync(path.dirname(file), { recursive: true });
  rmSync(stamp, { force: true });
  const tmp = `${file}.tmp`;
  const { instance, conn } = await openDuck({ tempDir });
  try {
    await conn.run(`COPY (${barsSql(spec)}) TO ${quote(tmp)} (FORMAT csv, HEADER true)`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  renameSync(tmp, file);
  writeFileSync(stamp, wanted);
  return { file, rows: spec.symbols * spec.days, generated: true };
}
