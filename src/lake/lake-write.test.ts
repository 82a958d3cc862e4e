import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { tableFromArrays, tableFromJSON } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { bar, keysOf } from '../../test/helpers/bars.js';
import { sqlString, withDuck } from '../../test/helpers/duck.js';
import { failure } from '../../test/helpers/errors.js';
import { withLake } from '../../test/helpers/with-lake.js';

const FILE_PATH =
  /^bars_1d\/year=(\d{4})\/part-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.parquet$/;

/** Every file under a folder, relative to it (for "nothing else was written" checks). */
function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe.each(backends)('lake writes on $name', (backend) => {
  it.skipIf(backend.skip)(
    'writes rows as Hive-style, zstd-compressed Parquet files sorted by the primary key',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        // Deliberately unsorted input spanning two years.
        const rows = [
          bar('MSFT', '2024-01-03', { close: 3 }),
          bar('AAPL', '2024-01-03', { close: 2 }),
          bar('MSFT', '2023-12-29', { close: 1 }),
          bar('AAPL', '2024-01-02', { close: 4, vwap: 11.5, source: 'test' }),
          bar('AAPL', '2023-12-28', { close: 5 }),
        ];
        const result = await lake.write('bars_1d', { rows }, { writer: 'run-42' });
        expect(result.version).toBe(1);
        expect(result.rowsWritten).toBe(5);
        expect(result.partitions).toEqual(['year=2023', 'year=2024']);
        expect(result.filesRemoved).toBe(0);
        expect(result.filesAdded).toHaveLength(2);
        for (const f of result.filesAdded) expect(f).toMatch(FILE_PATH);

        const files = await lake.files('bars_1d');
        expect(files.map((f) => f.path).sort()).toEqual([...result.filesAdded].sort());
        const byPart = Object.fromEntries(files.map((f) => [f.partition, f]));
        expect(byPart['year=2023']).toMatchObject({
          rows: 2,
          minKey: ['AAPL', '2023-12-28'],
          maxKey: ['MSFT', '2023-12-29'],
          addedVersion: 1,
          removedVersion: null,
        });
        expect(byPart['year=2024']).toMatchObject({
          rows: 3,
          minKey: ['AAPL', '2024-01-02'],
          maxKey: ['MSFT', '2024-01-03'],
        });
        for (const f of files) {
          const abs = path.join(root, f.path);
          expect(f.path.startsWith(`bars_1d/${f.partition}/`)).toBe(true);
          expect(statSync(abs).size).toBe(f.bytes);
        }

        await withDuck(async (duck) => {
          for (const f of files) {
            const abs = path.join(root, f.path);
            const codecs = await duck.rows(
              `SELECT DISTINCT compression FROM parquet_metadata(${sqlString(abs)})`,
            );
            expect(codecs).toEqual([{ compression: 'ZSTD' }]);
            // Stored order (one thread, no ORDER BY) is the primary-key order.
            const stored = await duck.rows(
              `SELECT symbol, CAST(date AS VARCHAR) AS date FROM read_parquet(${sqlString(abs)})`,
            );
            const keys = stored.map((r) => `${String(r['symbol'])}|${String(r['date'])}`);
            expect(keys).toEqual([...keys].sort());
            expect(stored).toHaveLength(f.rows);
          }
          // The files carry the dataset's types, so other engines read them without marketlake.
          const schema = await duck.rows(
            `SELECT name, type FROM parquet_schema(${sqlString(path.join(root, files[0]!.path))}) WHERE name IN ('date', 'open', 'symbol') ORDER BY name`,
          );
          expect(schema).toEqual([
            { name: 'date', type: 'INT32' },
            { name: 'open', type: 'DOUBLE' },
            { name: 'symbol', type: 'BYTE_ARRAY' },
          ]);
        });

        const read = await lake.read('bars_1d');
        expect(read.version).toBe(1);
        expect(read.rows).toEqual([
          {
            symbol: 'AAPL',
            date: '2023-12-28',
            open: 10,
            high: 12,
            low: 9,
            close: 5,
            volume: 1000,
            vwap: null,
            turnover: null,
            source: null,
            ingested_at: null,
          },
          {
            symbol: 'AAPL',
            date: '2024-01-02',
            open: 10,
            high: 12,
            low: 9,
            close: 4,
            volume: 1000,
            vwap: 11.5,
            turnover: null,
            source: 'test',
            ingested_at: null,
          },
          {
            symbol: 'AAPL',
            date: '2024-01-03',
            open: 10,
            high: 12,
            low: 9,
            close: 2,
            volume: 1000,
            vwap: null,
            turnover: null,
            source: null,
            ingested_at: null,
          },
          {
            symbol: 'MSFT',
            date: '2023-12-29',
            open: 10,
            high: 12,
            low: 9,
            close: 1,
            volume: 1000,
            vwap: null,
            turnover: null,
            source: null,
            ingested_at: null,
          },
          {
            symbol: 'MSFT',
            date: '2024-01-03',
            open: 10,
            high: 12,
            low: 9,
            close: 3,
            volume: 1000,
            vwap: null,
            turnover: null,
            source: null,
            ingested_at: null,
          },
        ]);
        const [v1] = await lake.history('bars_1d');
        expect(v1).toMatchObject({
          version: 1,
          writer: 'run-42',
          operation: 'write',
          rows: 5,
          files: 2,
          rowsAdded: 5,
          filesAdded: 2,
        });
        // The staging area holds nothing once the commit is done.
        expect(listTree(path.join(root, '_staging'))).toEqual([]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'writes an Apache Arrow table (tableFromArrays and tableFromJSON)',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const arrays = tableFromArrays({
          symbol: ['AAPL', 'MSFT'],
          date: ['2024-01-02', '2024-01-02'],
          open: Float64Array.from([185.5, 370.25]),
          high: Float64Array.from([188.5, 375]),
          low: Float64Array.from([183.75, 366.5]),
          close: Float64Array.from([185.64, 370.87]),
          volume: Float64Array.from([82_488_700, 25_258_600]),
        });
        const first = await lake.write('bars_1d', { arrow: arrays });
        expect(first).toMatchObject({ version: 1, rowsWritten: 2, partitions: ['year=2024'] });

        // Real Arrow dates (Date objects become DateMillisecond) and 64-bit integers.
        const typed = tableFromArrays({
          symbol: ['NVDA'],
          date: [new Date(Date.UTC(2024, 1, 29))],
          open: [790.9],
          high: [799.9],
          low: [783.5],
          close: [791.12],
          volume: BigInt64Array.from([50_728_900n]),
        });
        await lake.write('bars_1d', { arrow: typed });
        await lake.write('bars_1d', {
          arrow: tableFromJSON([
            {
              symbol: 'AMZN',
              date: '2023-06-30',
              open: 129,
              high: 131,
              low: 128.5,
              close: 130.36,
              volume: 55_000_000,
              source: 'arrow',
            },
          ]),
        });

        const rows = (await lake.read('bars_1d')).rows;
        expect(
          rows.map((r) => [r['symbol'], r['date'], r['close'], r['volume'], r['source']]),
        ).toEqual([
          ['AAPL', '2024-01-02', 185.64, 82_488_700, null],
          ['AMZN', '2023-06-30', 130.36, 55_000_000, 'arrow'],
          ['MSFT', '2024-01-02', 370.87, 25_258_600, null],
          ['NVDA', '2024-02-29', 791.12, 50_728_900, null],
        ]);
        expect((await lake.history('bars_1d')).map((v) => v.version)).toEqual([3, 2, 1]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'writes the result of a DuckDB query over existing datasets',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await lake.write('bars_1d', {
          rows: [
            bar('AAPL', '2024-01-02', { close: 10 }),
            bar('AAPL', '2024-01-03', { close: 20 }),
            bar('MSFT', '2024-01-02'),
          ],
        });
        await lake.createDataset({
          name: 'daily_returns',
          columns: [
            { name: 'symbol', type: 'VARCHAR' },
            { name: 'date', type: 'DATE' },
            { name: 'ret', type: 'DOUBLE' },
          ],
          primaryKey: ['symbol', 'date'],
          partitioning: { kind: 'none' },
        });
        const result = await lake.write(
          'daily_returns',
          {
            sql: `SELECT symbol, date, close / lag(close) OVER (PARTITION BY symbol ORDER BY date) - 1 AS ret FROM bars_1d QUALIFY ret IS NOT NULL`,
          },
          { writer: 'transform' },
        );
        expect(result).toMatchObject({ version: 1, rowsWritten: 1, partitions: [''] });
        expect(result.filesAdded[0]).toMatch(/^daily_returns\/part-[0-9a-f-]{36}\.parquet$/);
        expect((await lake.read('daily_returns')).rows).toEqual([
          { symbol: 'AAPL', date: '2024-01-03', ret: 1 },
        ]);

        // A query may also feed the dataset it reads (here: a derived symbol into bars_1d).
        await lake.write('bars_1d', {
          sql: `SELECT 'AAPL2' AS symbol, date, open, high, low, close * 2 AS close, volume FROM bars_1d WHERE symbol = 'AAPL'`,
        });
        const derived = (await lake.read('bars_1d', { where: { symbol: 'AAPL2' } })).rows;
        expect(derived.map((r) => [r['date'], r['close']])).toEqual([
          ['2024-01-02', 20],
          ['2024-01-03', 40],
        ]);
        expect((await lake.read('bars_1d')).rows).toHaveLength(5);
      });
    },
  );

  it.skipIf(backend.skip)(
    'append upserts by primary key: the newer row wins, other rows stay',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        await lake.write('bars_1d', {
          rows: [
            bar('AAPL', '2024-01-02', { close: 1 }),
            bar('AAPL', '2024-01-03', { close: 2 }),
            bar('AAPL', '2023-12-29', { close: 3 }),
          ],
        });
        const before = await lake.files('bars_1d');
        const second = await lake.write('bars_1d', {
          rows: [bar('AAPL', '2024-01-03', { close: 99 }), bar('AAPL', '2024-01-04', { close: 4 })],
        });
        // Only the touched partition is rewritten; its old file leaves the head version.
        expect(second).toMatchObject({
          version: 2,
          rowsWritten: 2,
          partitions: ['year=2024'],
          filesRemoved: 1,
        });
        const rows = (await lake.read('bars_1d')).rows;
        expect(rows.map((r) => [r['date'], r['close']])).toEqual([
          ['2023-12-29', 3],
          ['2024-01-02', 1],
          ['2024-01-03', 99],
          ['2024-01-04', 4],
        ]);
        const after = await lake.files('bars_1d');
        expect(after).toHaveLength(2);
        const kept = before.find((f) => f.partition === 'year=2023')!;
        expect(after.find((f) => f.partition === 'year=2023')!.id).toBe(kept.id);
        expect(after.find((f) => f.partition === 'year=2024')!.rows).toBe(3);
        const [head] = await lake.history('bars_1d');
        expect(head).toMatchObject({
          version: 2,
          rows: 4,
          rowsAdded: 3,
          rowsRemoved: 2,
          filesAdded: 1,
          filesRemoved: 1,
          files: 2,
        });
        // The replaced file stays on disk for readers of version 1 until vacuum.
        const old2024 = before.find((f) => f.partition === 'year=2024')!;
        expect(existsSync(path.join(root, old2024.path))).toBe(true);
      });
    },
  );

  it.skipIf(backend.skip)(
    'replace mode: listed partitions hold exactly the new rows, and a listed partition without rows ends empty',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await lake.write('bars_1d', {
          rows: [
            bar('AAPL', '2022-06-01'),
            bar('AAPL', '2023-06-01'),
            bar('MSFT', '2023-06-02'),
            bar('AAPL', '2024-06-03'),
            bar('MSFT', '2024-06-04'),
          ],
        });
        const replaced = await lake.write(
          'bars_1d',
          { rows: [bar('NVDA', '2024-06-05')] },
          { mode: 'replace', partitions: ['2024', 'year=2023'] },
        );
        expect(replaced).toMatchObject({
          version: 2,
          rowsWritten: 1,
          partitions: ['year=2023', 'year=2024'],
          filesRemoved: 2,
        });
        expect(replaced.filesAdded).toHaveLength(1);
        expect(keysOf((await lake.read('bars_1d')).rows)).toEqual([
          'AAPL|2022-06-01',
          'NVDA|2024-06-05',
        ]);
        expect((await lake.files('bars_1d')).map((f) => f.partition)).toEqual([
          'year=2022',
          'year=2024',
        ]);

        // Without `partitions`, replace covers the partitions the rows fall in.
        await lake.write('bars_1d', { rows: [bar('TSLA', '2022-01-03')] }, { mode: 'replace' });
        expect(keysOf((await lake.read('bars_1d')).rows)).toEqual([
          'NVDA|2024-06-05',
          'TSLA|2022-01-03',
        ]);

        // An empty replace clears the listed partitions.
        const cleared = await lake.write(
          'bars_1d',
          { rows: [] },
          { mode: 'replace', partitions: ['2022'] },
        );
        expect(cleared).toMatchObject({
          version: 4,
          rowsWritten: 0,
          partitions: ['year=2022'],
          filesAdded: [],
          filesRemoved: 1,
        });
        expect(keysOf((await lake.read('bars_1d')).rows)).toEqual(['NVDA|2024-06-05']);

        // Rows outside the listed partitions are refused, and nothing is committed.
        const err = await failure(
          lake.write(
            'bars_1d',
            { rows: [bar('AAPL', '2021-03-01'), bar('AAPL', '2024-03-01')] },
            { mode: 'replace', partitions: ['2024'] },
          ),
        );
        expect(err.code).toBe('LAKE_BAD_DATA');
        expect(err.message).toContain('year=2021');
        expect((await lake.dataset('bars_1d')).headVersion).toBe(4);
      });
    },
  );

  it.skipIf(backend.skip)('an empty append is a no-op that creates no version', async () => {
    await withLake(backend, async ({ lake }) => {
      await lake.write('bars_1d', { rows: [bar('AAPL', '2024-01-02')] });
      const result = await lake.write('bars_1d', { rows: [] });
      expect(result).toMatchObject({ version: 1, rowsWritten: 0, filesAdded: [], filesRemoved: 0 });
      expect((await lake.history('bars_1d')).map((v) => v.version)).toEqual([1]);
    });
  });

  it.skipIf(backend.skip)(
    'rejects rows that break the schema, naming each row and reason, and commits nothing',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        await lake.write('bars_1d', { rows: [bar('AAPL', '2024-01-02')] });
        const filesBefore = listTree(path.join(root, 'bars_1d'));
        const err = await failure(
          lake.write('bars_1d', {
            rows: [
              bar('AAPL', '2024-01-03'),
              bar('AAPL', '2024-01-04', { open: '' }),
              bar('AAPL', '2024-01-05', { volume: -5 }),
              bar('AAPL', '2024-01-08', { high: 8, low: 9 }),
              bar('AAPL', '2024-01-09', { close: 'abc' }),
              bar('AAPL', '2024-01-10', { open: null }),
              bar('AAPL', 'not-a-date'),
              bar('AAPL', '2024-01-11', { open: 0 }),
            ],
          }),
        );
        expect(err.code).toBe('LAKE_BAD_DATA');
        expect(err.message).toContain('7 of 8 rows do not fit bars_1d');
        expect(err.message).toContain('row 2: open is blank');
        expect(err.message).toContain('row 3: volume is negative');
        expect(err.message).toContain('row 4: high < low');
        expect(err.message).toContain('row 5: close: "abc" is not a valid DOUBLE');
        expect(err.message).toContain('row 6: open is blank');
        expect(err.message).toContain('row 7: date: "not-a-date" is not a valid DATE');
        expect(err.message).toContain('row 8: a price is zero or negative');
        expect(err.message).toContain('nothing was written');
        expect(err.details).toMatchObject({ dataset: 'bars_1d', badRows: 7 });
        expect(err.message).not.toMatch(/row 1:/);

        expect((await lake.dataset('bars_1d')).headVersion).toBe(1);
        expect((await lake.history('bars_1d')).map((v) => v.version)).toEqual([1]);
        expect(keysOf((await lake.read('bars_1d')).rows)).toEqual(['AAPL|2024-01-02']);
        expect(listTree(path.join(root, 'bars_1d'))).toEqual(filesBefore);
        expect(listTree(path.join(root, '_staging'))).toEqual([]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'rejects primary-key duplicates inside a write with the keys and rows, and commits nothing',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        const err = await failure(
          lake.write('bars_1d', {
            rows: [
              bar('AAPL', '2024-01-02'),
              bar('MSFT', '2024-01-02'),
              bar('AAPL', '2024-01-02', { close: 12 }),
              bar('MSFT', '2024-01-03'),
              bar('MSFT', '2024-01-03'),
            ],
          }),
        );
        expect(err.code).toBe('LAKE_DUPLICATE_KEYS');
        expect(err.message).toContain('(symbol, date)');
        expect(err.message).toContain('(AAPL, 2024-01-02) at rows 1, 3');
        expect(err.message).toContain('(MSFT, 2024-01-03) at rows 4, 5');
        expect(err.details['keys']).toEqual([
          { key: ['AAPL', '2024-01-02'], ordinals: [1, 3] },
          { key: ['MSFT', '2024-01-03'], ordinals: [4, 5] },
        ]);
        expect((await lake.dataset('bars_1d')).headVersion).toBe(0);
        expect(await lake.history('bars_1d')).toEqual([]);
        expect(listTree(path.join(root, 'bars_1d'))).toEqual([]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'refuses rows without a required column and unknown datasets, naming them',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const { volume: _volume, ...noVolume } = bar('AAPL', '2024-01-02');
        const missing = await failure(lake.write('bars_1d', { rows: [noVolume] }));
        expect(missing.message).toContain('"volume"');
        expect((await lake.dataset('bars_1d')).headVersion).toBe(0);

        const unknown = await failure(lake.write('bars_2d', { rows: [bar('AAPL', '2024-01-02')] }));
        expect(unknown.code).toBe('LAKE_DATASET_NOT_FOUND');
        expect(unknown.message).toContain('"bars_2d"');
        expect(unknown.message).toContain(
          'bars_1d, bars_1m, check_failures, check_runs, corporate_actions, instruments',
        );
      });
    },
  );
});
