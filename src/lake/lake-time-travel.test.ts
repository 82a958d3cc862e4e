import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { bar, keysOf } from '../../test/helpers/bars.js';
import { sqlString, withDuck } from '../../test/helpers/duck.js';
import { failure } from '../../test/helpers/errors.js';
import { withLake } from '../../test/helpers/with-lake.js';

describe.each(backends)('lake snapshots and time travel on $name', (backend) => {
  it.skipIf(backend.skip)(
    'reads exactly the rows of each past version after later writes',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const v1 = [
          bar('AAPL', '2023-12-29', { close: 1 }),
          bar('AAPL', '2024-01-02', { close: 2 }),
        ];
        await lake.write('bars_1d', { rows: v1 }, { writer: 'run-1' });
        await lake.write(
          'bars_1d',
          {
            rows: [
              bar('AAPL', '2024-01-02', { close: 20 }),
              bar('MSFT', '2024-01-02', { close: 30 }),
            ],
          },
          { writer: 'run-2' },
        );
        await lake.write(
          'bars_1d',
          { rows: [bar('NVDA', '2024-01-03', { close: 40 })] },
          { mode: 'replace', partitions: ['2024'], writer: 'run-3' },
        );

        const at = async (version?: number): Promise<string[]> =>
          keysOf(
            (await lake.read('bars_1d', version === undefined ? {} : { version })).rows,
            'symbol',
            'date',
            'close',
          );
        expect(await at(1)).toEqual(['AAPL|2023-12-29|1', 'AAPL|2024-01-02|2']);
        expect(await at(2)).toEqual([
          'AAPL|2023-12-29|1',
          'AAPL|2024-01-02|20',
          'MSFT|2024-01-02|30',
        ]);
        expect(await at(3)).toEqual(['AAPL|2023-12-29|1', 'NVDA|2024-01-03|40']);
        expect(await at()).toEqual(await at(3));
        expect((await lake.read('bars_1d', { version: 1 })).version).toBe(1);
        // The complete rows of version 1 come back, not only their keys.
        expect(
          (
            await lake.read('bars_1d', {
              version: 1,
              columns: ['symbol', 'date', 'open', 'high', 'low', 'close', 'volume'],
            })
          ).rows,
        ).toEqual(v1);

        const missing = await failure(lake.read('bars_1d', { version: 9 }));
        expect(missing.code).toBe('LAKE_VERSION_NOT_FOUND');
        expect(missing.message).toContain('has no version 9 (head is 3');
        expect((await failure(lake.files('bars_1d', 9))).code).toBe('LAKE_VERSION_NOT_FOUND');
      });
    },
  );

  it.skipIf(backend.skip)(
    'lists versions newest first with row counts, files, operation and writer',
    async () => {
      await withLake(backend, async ({ lake, dir }) => {
        await lake.write(
          'bars_1d',
          { rows: [bar('AAPL', '2023-12-29'), bar('AAPL', '2024-01-02')] },
          { writer: 'run-1' },
        );
        await lake.write(
          'bars_1d',
          { rows: [bar('AAPL', '2024-01-02', { close: 5 }), bar('AAPL', '2024-01-03')] },
          { writer: 'run-2' },
        );
        const csv = path.join(dir, 'more.csv');
        writeFileSync(
          csv,
          'date,open,high,low,close,volume,symbol\n2022-06-01,1,2,0.5,1.5,10,MSFT\n',
        );
        await lake.import('bars_1d', [csv], { writer: 'cli' });
        await lake.write(
          'bars_1d',
          { rows: [] },
          { mode: 'replace', partitions: ['2023'], writer: 'run-4' },
        );

        const history = await lake.history('bars_1d');
        expect(history.map(({ createdAt: _c, ...v }) => v)).toEqual([
          {
            dataset: 'bars_1d',
            version: 4,
            operation: 'write',
            writer: 'run-4',
            rowsAdded: 0,
            rowsRemoved: 1,
            filesAdded: 0,
            filesRemoved: 1,
            rows: 3,
            bytes: history[0]!.bytes,
            files: 2,
            partitions: ['year=2023'],
          },
          {
            dataset: 'bars_1d',
            version: 3,
            operation: 'import',
            writer: 'cli',
            rowsAdded: 1,
            rowsRemoved: 0,
            filesAdded: 1,
            filesRemoved: 0,
            rows: 4,
            bytes: history[1]!.bytes,
            files: 3,
            partitions: ['year=2022'],
          },
          {
            dataset: 'bars_1d',
            version: 2,
            operation: 'write',
            writer: 'run-2',
            rowsAdded: 2,
            rowsRemoved: 1,
            filesAdded: 1,
            filesRemoved: 1,
            rows: 3,
            bytes: history[2]!.bytes,
            files: 2,
            partitions: ['year=2024'],
          },
          {
            dataset: 'bars_1d',
            version: 1,
            operation: 'write',
            writer: 'run-1',
            rowsAdded: 2,
            rowsRemoved: 0,
            filesAdded: 2,
            filesRemoved: 0,
            rows: 2,
            bytes: history[3]!.bytes,
            files: 2,
            partitions: ['year=2023', 'year=2024'],
          },
        ]);
        // Totals agree with the files each version lists.
        for (const v of history) {
          const files = await lake.files('bars_1d', v.version);
          expect(files).toHaveLength(v.files);
          expect(files.reduce((s, f) => s + f.rows, 0)).toBe(v.rows);
          expect(files.reduce((s, f) => s + f.bytes, 0)).toBe(v.bytes);
          expect((await lake.read('bars_1d', { version: v.version })).rows).toHaveLength(v.rows);
        }
        expect(history.every((v) => !Number.isNaN(Date.parse(v.createdAt)))).toBe(true);
        expect(await lake.history('instruments')).toEqual([]);
        expect(await lake.files('instruments')).toEqual([]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'a reader pinned to version N is not disturbed by later writes: its files stay in place and readable',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        await lake.write('bars_1d', {
          rows: [bar('AAPL', '2024-01-02', { close: 1 }), bar('MSFT', '2024-01-02', { close: 2 })],
        });
        // The reader takes its snapshot: the version and its file list.
        const pinned = (await lake.dataset('bars_1d')).headVersion;
        const snapshot = await lake.files('bars_1d', pinned);
        const expected = (await lake.read('bars_1d', { version: pinned })).rows;

        // Writers then rewrite and replace every partition the snapshot uses.
        await lake.write('bars_1d', { rows: [bar('AAPL', '2024-01-02', { close: 100 })] });
        await lake.write(
          'bars_1d',
          { rows: [bar('TSLA', '2024-01-05')] },
          { mode: 'replace', partitions: ['2024'] },
        );
        expect(keysOf((await lake.read('bars_1d')).rows)).toEqual(['TSLA|2024-01-05']);
        const headIds = new Set((await lake.files('bars_1d')).map((f) => f.id));
        expect(snapshot.some((f) => headIds.has(f.id))).toBe(false);

        // The snapshot's files are untouched, so the pinned reader (inside or outside marketlake) still reads them.
        for (const f of snapshot) expect(existsSync(path.join(root, f.path))).toBe(true);
        expect((await lake.files('bars_1d', pinned)).map((f) => f.id)).toEqual(
          snapshot.map((f) => f.id),
        );
        expect((await lake.read('bars_1d', { version: pinned })).rows).toEqual(expected);
        await withDuck(async (duck) => {
          const list = `[${snapshot.map((f) => sqlString(path.join(root, f.path))).join(', ')}]`;
          const rows = await duck.rows(
            `SELECT symbol, close FROM read_parquet(${list}) ORDER BY symbol`,
          );
          expect(rows).toEqual([
            { symbol: 'AAPL', close: 1 },
            { symbol: 'MSFT', close: 2 },
          ]);
        });
      });
    },
  );
});
