import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnPath, readJsonRows } from './json-rows.js';

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
});

afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

/** Every column type a lake holds, with NULLs, edge values and several chunks (5,000 rows). */
const MIXED = `
  SELECT
    i::INTEGER AS i32,
    (i - 2500)::SMALLINT AS i16,
    (i % 100)::TINYINT AS i8,
    i::UINTEGER AS u32,
    CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 9007199254740)::BIGINT END AS i64,
    CASE WHEN i = 1 THEN 9223372036854775807 WHEN i = 2 THEN -9223372036854775808 ELSE i END::BIGINT AS big_edges,
    i::UBIGINT AS u64,
    CASE WHEN i % 5 = 0 THEN NULL WHEN i = 1 THEN 'NaN'::DOUBLE WHEN i = 2 THEN 'inf'::DOUBLE
         WHEN i = 3 THEN '-inf'::DOUBLE WHEN i = 4 THEN -0.0 ELSE i / 3 END AS dbl,
    CASE WHEN i % 3 = 0 THEN NULL ELSE (i / 7)::FLOAT END AS flt,
    CASE WHEN i % 11 = 0 THEN NULL WHEN i = 1 THEN 'infinity'::DATE WHEN i = 2 THEN '-infinity'::DATE
         WHEN i = 3 THEN '0001-01-01'::DATE WHEN i = 4 THEN '9999-12-31'::DATE
         WHEN i = 5 THEN '0044-03-15 (BC)'::DATE ELSE DATE '1990-01-01' + i::INTEGER END AS day,
    CASE WHEN i % 13 = 0 THEN NULL ELSE TIMESTAMP '2024-03-10 01:59:59.123456' + to_seconds(i::BIGINT) END AS ts,
    CASE WHEN i % 4 = 0 THEN NULL WHEN i = 1 THEN '' WHEN i = 2 THEN '한국어 005930.KS' ELSE 'S' || i END AS txt,
    CASE WHEN i % 6 = 0 THEN NULL ELSE i % 2 = 0 END AS flag,
    (i / 100)::DECIMAL(18, 3) AS dec,
    CASE WHEN i % 9 = 0 THEN NULL ELSE [i, NULL, i + 1] END AS list,
    {'a': i, 'b': CASE WHEN i % 2 = 0 THEN NULL ELSE 'x' END} AS struct,
    i AS i32
  FROM range(5000) t(i)`;

describe('readJsonRows', () => {
  it('gives exactly the rows getRowObjectsJson gives, for every column type, across chunks', async () => {
    const expected = (await conn.runAndReadAll(MIXED)).getRowObjectsJson();
    const got = await readJsonRows(await conn.run(MIXED));
    expect(got.truncated).toBe(false);
    expect(got.rows).toHaveLength(5000);
    expect(got.rows).toEqual(expected);
    // Same keys in the same order, duplicate names made unique as the library does.
    expect(Object.keys(got.rows[0]!)).toEqual(Object.keys(expected[0]!));
    expect(got.columns.map((c) => c.name)).toEqual(Object.keys(expected[0]!));
    expect(got.columns.find((c) => c.name === 'dec')?.type).toBe('DECIMAL(18,3)');
    // Spot checks that do not depend on the library: NaN and infinities as text, dates as text.
    expect(got.rows[1]!['dbl']).toBe('NaN');
    expect(got.rows[2]!['dbl']).toBe('Infinity');
    expect(got.rows[3]!['dbl']).toBe('-Infinity');
    expect(got.rows[10]!['day']).toBe('1990-01-11');
    expect(got.rows[1]!['big_edges']).toBe('9223372036854775807');
    expect(got.rows[0]!['dbl']).toBeNull();
  });

  it('stops at the limit and says the result was truncated', async () => {
    const sql = 'SELECT i FROM range(10000) t(i)';
    const limited = await readJsonRows(await conn.stream(sql), 2500);
    expect(limited.rows).toHaveLength(2500);
    expect(limited.rows[2499]).toEqual({ i: '2499' });
    expect(limited.truncated).toBe(true);
    const exact = await readJsonRows(await conn.stream('SELECT i FROM range(2500) t(i)'), 2500);
    expect(exact.truncated).toBe(false);
    expect(exact.rows).toHaveLength(2500);
    const empty = await readJsonRows(await conn.run('SELECT 1 AS x WHERE false'));
    expect(empty).toEqual({
      columns: [{ name: 'x', type: 'INTEGER' }],
      rows: [],
      truncated: false,
    });
  });

  it('takes the fast paths for the columns of bars (a library update that hides them fails here)', async () => {
    const result = await conn.run(
      `SELECT 'A' AS symbol, DATE '2024-01-02' AS date, 1.5 :: DOUBLE AS open, 10 :: BIGINT AS volume,
              2 :: INTEGER AS n, NULL :: DOUBLE AS vwap, TIMESTAMP '2024-01-02 00:00:00' AS ingested_at`,
    );
    const chunk = await result.fetchChunk();
    const paths = Array.from({ length: 7 }, (_, c) => columnPath(chunk!.getColumnVector(c)));
    expect(paths).toEqual(['string', 'date', 'typed', 'typed', 'typed', 'typed', 'value']);
  });
});
