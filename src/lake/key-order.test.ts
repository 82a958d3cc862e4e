import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { bar } from '../../test/helpers/bars.js';
import { sqlString, withDuck } from '../../test/helpers/duck.js';
import { failure } from '../../test/helpers/errors.js';
import { withTempDir } from '../../test/helpers/temp-dir.js';
import { withLake } from '../../test/helpers/with-lake.js';
import { checkKeyOrder } from './key-order.js';
import type { Dataset } from './dataset-spec.js';

/** The partition COPY statements the lake runs while `fn` does (spied on DuckDB's connection). */
async function copiesDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const spy = vi.spyOn(DuckDBConnection.prototype, 'run');
  try {
    await fn();
    return spy.mock.calls.map((c) => String(c[0])).filter((sql) => sql.startsWith('COPY ('));
  } finally {
    spy.mockRestore();
  }
}

/** Whether every row of a Parquet file has a greater (symbol, date) than the row before it. */
async function strictlyOrdered(file: string): Promise<boolean> {
  return withDuck(async (duck) => {
    const [row] = await duck.rows(
      `SELECT count(*) FILTER (WHERE (symbol, date) <= (ps, pd))::INTEGER AS bad FROM (SELECT symbol, date, lag(symbol) OVER w AS ps, lag(date) OVER w AS pd FROM read_parquet(${sqlString(file)}, file_row_number = true) WINDOW w AS (ORDER BY file_row_number)) WHERE ps IS NOT NULL`,
    );
    return row?.['bad'] === 0;
  });
}

/** SQL for `n` bars of one day, symbols S000000, S000001, ... in key order. */
function sortedBarsSql(n: number, day = '2024-01-02'): string {
  return `SELECT 'S' || lpad(CAST(i AS VARCHAR), 6, '0') AS symbol, DATE '${day}' AS date, 10.0 AS open, 11.0 AS high, 9.0 AS low, 10.5 AS close, 1000.0 AS volume FROM range(${n}) t(i)`;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('checkKeyOrder', () => {
  it('counts exactly the repeated and unordered neighbours of a file of many row groups, read on two threads', async () => {
    await withTempDir(async (dir) => {
      const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
      const conn = await instance.connect();
      try {
        const file = path.join(dir, 'f.parquet');
        // 300,000 keys in order, 2,048-row groups; rows 1,000, 150,000 and 299,998 repeat the
        // key before them, and row 200,000 is smaller than the row before it.
        await conn.run(
          `COPY (SELECT CASE WHEN i IN (1000, 150000, 299998) THEN i - 1 WHEN i = 200000 THEN 5 ELSE i END AS k, 'S' || lpad(CAST((CASE WHEN i IN (1000, 150000, 299998) THEN i - 1 WHEN i = 200000 THEN 5 ELSE i END) // 100 AS VARCHAR), 5, '0') AS symbol, i AS v FROM range(300000) t(i) ORDER BY i) TO ${sqlString(file)} (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
        );
        const dataset = {
          name: 't',
          primaryKey: ['symbol', 'k'],
          partitioning: { kind: 'none' },
        } as unknown as Dataset;
        for (let round = 0; round < 5; round++) {
          // Key (symbol, k): the repeats equal their neighbour; row 200,000 is out of order.
          expect(await checkKeyOrder(conn, dataset, [{ path: file, rows: 300_000 }])).toEqual([
            { unordered: 1, repeated: 3 },
          ]);
        }
        const single: Dataset = { ...dataset, primaryKey: ['k'] };
        expect(await checkKeyOrder(conn, single, [{ path: file, rows: 300_000 }])).toEqual([
          { unordered: 1, repeated: 3 },
        ]);

        // Small files share one query; a row is only compared with the next row of its own file
        // (b starts with the key a ends with, c is clean, d repeats a key).
        const small = async (name: string, keys: number[]): Promise<string> => {
          const f = path.join(dir, name);
          await conn.run(
            `COPY (SELECT 'S' AS symbol, k FROM (SELECT unnest([${keys.join(', ')}]) AS k)) TO ${sqlString(f)} (FORMAT parquet)`,
          );
          return f;
        };
        const files = [
          { path: await small('a.parquet', [1, 2, 3]), rows: 3 },
          { path: await small('b.parquet', [3, 4]), rows: 2 },
          { path: file, rows: 300_000 },
          { path: await small('c.parquet', [7, 8, 9]), rows: 3 },
          { path: await small('d.parquet', [7, 8, 8, 6]), rows: 4 },
        ];
        expect(await checkKeyOrder(conn, dataset, files)).toEqual([
          { unordered: 0, repeated: 0 },
          { unordered: 0, repeated: 0 },
          { unordered: 1, repeated: 3 },
          { unordered: 0, repeated: 0 },
          { unordered: 1, repeated: 1 },
        ]);
      } finally {
        conn.closeSync();
        instance.closeSync();
      }
    });
  });
});

describe.each(backends)('key order of written files on $name', (backend) => {
  it.skipIf(backend.skip)(
    'writes rows that arrive in key order as they are, and each file is still sorted',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        const rows = [
          bar('AAPL', '2023-12-28'),
          bar('AAPL', '2023-12-29'),
          bar('AAPL', '2024-01-02'),
          bar('MSFT', '2023-12-29'),
          bar('MSFT', '2024-01-02'),
          bar('MSFT', '2024-01-03'),
        ];
        const copies = await copiesDuring(() => lake.write('bars_1d', { rows }));
        expect(copies).toHaveLength(2);
        for (const sql of copies) expect(sql).not.toContain('ORDER BY');
        for (const f of await lake.files('bars_1d')) {
          expect(await strictlyOrdered(path.join(root, f.path))).toBe(true);
        }
        expect(
          (await lake.read('bars_1d')).rows.map(
            (r) => `${String(r['symbol'])} ${String(r['date'])}`,
          ),
        ).toEqual(rows.map((r) => `${r.symbol} ${r.date}`));
      });
    },
  );

  it.skipIf(backend.skip)(
    'keeps rows in key order unsorted across many partitions (minute bars by date)',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        // 2 symbols x 80 days x 30 minutes, in (symbol, ts) order: 80 date partitions, so the
        // rows are first grouped by partition, keeping their order within each.
        const sql = `SELECT 'S' || s AS symbol, TIMESTAMP '2024-01-01 09:30:00' + to_days(CAST(d AS INTEGER)) + to_minutes(CAST(m AS INTEGER)) AS ts, 10.0 AS open, 11.0 AS high, 9.0 AS low, 10.5 AS close, 100.0 AS volume FROM range(2) a(s), range(80) b(d), range(30) c(m) ORDER BY s, d, m`;
        const copies = await copiesDuring(() => lake.write('bars_1m', { sql }));
        expect(copies).toHaveLength(80);
        for (const c of copies) expect(c).not.toContain('ORDER BY');
        const files = await lake.files('bars_1m');
        expect(files).toHaveLength(80);
        await withDuck(async (duck) => {
          for (const f of files.slice(0, 5)) {
            const [row] = await duck.rows(
              `SELECT count(*) FILTER (WHERE (symbol, ts) <= (ps, pt))::INTEGER AS bad, count(*)::INTEGER AS n FROM (SELECT symbol, ts, lag(symbol) OVER w AS ps, lag(ts) OVER w AS pt FROM read_parquet(${sqlString(path.join(root, f.path))}, file_row_number = true) WINDOW w AS (ORDER BY file_row_number)) WHERE ps IS NOT NULL`,
            );
            expect(row).toEqual({ bad: 0, n: 59 });
          }
        });
      });
    },
  );

  it.skipIf(backend.skip)(
    'sorts the rows of other inputs, and a partition whose rows only looked sorted at first',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        // Out of order from the start: every partition is written sorted, once.
        const shuffled = [bar('MSFT', '2024-01-03'), bar('AAPL', '2024-01-02')];
        const direct = await copiesDuring(() => lake.write('bars_1d', { rows: shuffled }));
        expect(direct).toHaveLength(1);
        expect(direct[0]).toContain('ORDER BY "symbol", "date"');

        // 70,000 rows in order, then one that belongs first: the first rows look sorted, the
        // unsorted file fails its check and the partition is written again, sorted.
        const sql = `${sortedBarsSql(70_000, '2025-01-02')} UNION ALL SELECT 'A', DATE '2025-01-02', 1, 1, 1, 1, 1`;
        const copies = await copiesDuring(() => lake.write('bars_1d', { sql }));
        expect(copies).toHaveLength(2);
        expect(copies[0]).not.toContain('ORDER BY');
        expect(copies[1]).toContain('ORDER BY "symbol", "date"');
        const [file] = (await lake.files('bars_1d')).filter((f) => f.partition === 'year=2025');
        expect(file).toMatchObject({ rows: 70_001, minKey: ['A', '2025-01-02'] });
        expect(await strictlyOrdered(path.join(root, file!.path))).toBe(true);
      });
    },
  );

  it.skipIf(backend.skip)(
    'writes again, sorted, a later partition that went out of order beyond the guessed rows',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        // 2024 is in order; 2025 is in order for 20,000 rows, then one row belongs first.
        const sql = `${sortedBarsSql(10, '2024-01-02')} UNION ALL (${sortedBarsSql(20_000, '2025-01-02')}) UNION ALL SELECT 'A', DATE '2025-01-02', 1, 1, 1, 1, 1`;
        const copies = await copiesDuring(() => lake.write('bars_1d', { sql }));
        expect(copies.map((c) => c.includes('ORDER BY'))).toEqual([false, false, true]);
        const files = await lake.files('bars_1d');
        expect(files.map((f) => [f.partition, f.rows])).toEqual([
          ['year=2024', 10],
          ['year=2025', 20_001],
        ]);
        for (const f of files) expect(await strictlyOrdered(path.join(root, f.path))).toBe(true);
        expect((await lake.history('bars_1d')).map((v) => v.version)).toEqual([1]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'finds a key repeated far beyond the rows the order guess looks at, in a write and in an import',
    async () => {
      await withLake(backend, async ({ lake, dir }) => {
        const sql = `${sortedBarsSql(70_000)} UNION ALL SELECT 'S069999', DATE '2024-01-02', 1, 1, 1, 1, 1`;
        const err = await failure(lake.write('bars_1d', { sql }));
        expect(err.code).toBe('LAKE_DUPLICATE_KEYS');
        expect(err.message).toContain('(S069999, 2024-01-02) at rows 70000, 70001');
        expect((await lake.dataset('bars_1d')).headVersion).toBe(0);

        const file = path.join(dir, 'history.csv');
        const lines = ['symbol,date,open,high,low,close,volume'];
        for (let i = 0; i < 70_000; i++) {
          lines.push(`S${String(i).padStart(6, '0')},2024-01-02,10,11,9,10.5,1000`);
        }
        lines.push('S000007,2024-01-02,10,11,9,10.25,1000', '');
        writeFileSync(file, lines.join('\n'));
        const result = await lake.import('bars_1d', [file]);
        expect(result.rowsImported).toBe(69_999);
        expect(result.quarantined.map((q) => [q.line, q.reason, q.raw])).toEqual([
          [
            9,
            'duplicate key (S000007, 2024-01-02), also at history.csv:70002',
            'S000007,2024-01-02,10,11,9,10.5,1000',
          ],
          [
            70_002,
            'duplicate key (S000007, 2024-01-02), also at history.csv:9',
            'S000007,2024-01-02,10,11,9,10.25,1000',
          ],
        ]);
        const quarantine = await lake.quarantine({ importId: result.importId });
        expect(quarantine).toHaveLength(2);
      });
    },
  );

  it.skipIf(backend.skip)(
    'rejects a repeated key among appended rows that merge into an existing partition',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await lake.write('bars_1d', {
          rows: [bar('AAPL', '2024-01-02'), bar('MSFT', '2024-01-02')],
        });
        const err = await failure(
          lake.write('bars_1d', {
            rows: [bar('AAPL', '2024-01-03'), bar('AAPL', '2024-01-03', { close: 2 })],
          }),
        );
        expect(err.code).toBe('LAKE_DUPLICATE_KEYS');
        expect(err.message).toContain('(AAPL, 2024-01-03) at rows 1, 2');
        expect((await lake.dataset('bars_1d')).headVersion).toBe(1);
      });
    },
  );

  it.skipIf(backend.skip)(
    'rejects a repeated key when the key is the partition column alone',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await lake.createDataset({
          name: 'latest',
          columns: [
            { name: 'sym', type: 'VARCHAR', nullable: false },
            { name: 'price', type: 'DOUBLE' },
          ],
          primaryKey: ['sym'],
          partitioning: { kind: 'column', column: 'sym' },
        });
        const ok = await lake.write('latest', {
          rows: [
            { sym: 'AAA', price: 1 },
            { sym: 'BBB', price: 2 },
          ],
        });
        expect(ok.rowsWritten).toBe(2);
        const err = await failure(
          lake.write('latest', {
            rows: [
              { sym: 'CCC', price: 1 },
              { sym: 'CCC', price: 2 },
            ],
          }),
        );
        expect(err.code).toBe('LAKE_DUPLICATE_KEYS');
        expect(err.message).toContain('(CCC) at rows 1, 2');
        expect((await lake.dataset('latest')).headVersion).toBe(1);
      });
    },
  );
});
