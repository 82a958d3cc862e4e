import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { distModule, runNode } from '../../test/helpers/dist.js';
import { sqlString, withDuck } from '../../test/helpers/duck.js';
import { withTempDir } from '../../test/helpers/temp-dir.js';
import { withLake } from '../../test/helpers/with-lake.js';
import type { DatasetSpec, Partitioning } from './index.js';

const columns: DatasetSpec['columns'] = [
  { name: 'sym', type: 'VARCHAR', nullable: false },
  { name: 'ts', type: 'TIMESTAMP', nullable: false },
  { name: 'price', type: 'DOUBLE' },
];

const rows = [
  { sym: 'AAA', ts: '2023-12-31 23:59:00', price: 1 },
  { sym: 'AAA', ts: '2024-01-01 00:00:00', price: 2 },
  { sym: 'BBB', ts: '2024-01-01 09:30:00', price: 3 },
  { sym: 'BBB', ts: '2024-02-15 16:00:00', price: 4 },
];

const kinds: { partitioning: Partitioning; folders: string[] }[] = [
  { partitioning: { kind: 'none' }, folders: [''] },
  { partitioning: { kind: 'year', column: 'ts' }, folders: ['year=2023', 'year=2024'] },
  {
    partitioning: { kind: 'month', column: 'ts' },
    folders: ['month=2023-12', 'month=2024-01', 'month=2024-02'],
  },
  {
    partitioning: { kind: 'date', column: 'ts' },
    folders: ['date=2023-12-31', 'date=2024-01-01', 'date=2024-02-15'],
  },
  { partitioning: { kind: 'column', column: 'sym' }, folders: ['sym=AAA', 'sym=BBB'] },
];

describe.each(backends)('lake partitioning on $name', (backend) => {
  it.skipIf(backend.skip).each(kinds)(
    'partitions by $partitioning.kind into Hive folders and reads back every row',
    async ({ partitioning, folders }) => {
      await withLake(backend, async ({ lake }) => {
        await lake.createDataset({
          name: 'ticks',
          columns,
          primaryKey: ['sym', 'ts'],
          partitioning,
        });
        const result = await lake.write('ticks', { rows });
        expect(result.partitions).toEqual(folders);
        const files = await lake.files('ticks');
        expect(files.map((f) => f.partition)).toEqual(folders);
        for (const f of files) {
          expect(f.path).toBe(
            ['ticks', f.partition, path.basename(f.path)].filter(Boolean).join('/'),
          );
          expect(path.basename(f.path)).toMatch(/^part-[0-9a-f-]{36}\.parquet$/);
        }
        expect((await lake.read('ticks')).rows).toEqual(rows);
        const q = await lake.query('SELECT count(*)::INTEGER AS n, sum(price) AS total FROM ticks');
        expect(q.rows).toEqual([{ n: 4, total: 10 }]);

        // Upserts stay inside each row's partition.
        await lake.write('ticks', { rows: [{ sym: 'AAA', ts: '2024-01-01 00:00:00', price: 20 }] });
        expect(
          (await lake.read('ticks', { where: { sym: 'AAA' } })).rows.map((r) => r['price']),
        ).toEqual([1, 20]);
        expect((await lake.read('ticks')).rows).toHaveLength(4);
      });
    },
  );

  it.skipIf(backend.skip)(
    'escapes column partition values in folder names and round-trips them (A/B, BRK.B, %, =, quotes)',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        await lake.createDataset({
          name: 'by_symbol',
          columns: [
            { name: 'symbol', type: 'VARCHAR', nullable: false },
            { name: 'date', type: 'DATE', nullable: false },
            { name: 'close', type: 'DOUBLE' },
          ],
          primaryKey: ['symbol', 'date'],
          partitioning: { kind: 'column', column: 'symbol' },
        });
        const tricky = ['A/B', 'BRK.B', 'x%y=z', "it's", 'a b', 'C:\\D'];
        const input = tricky.flatMap((symbol, i) => [
          { symbol, date: '2024-01-02', close: i },
          { symbol, date: '2024-01-03', close: i + 0.5 },
        ]);
        const result = await lake.write('by_symbol', { rows: input });
        expect(result.partitions).toEqual([
          'symbol=A%2FB',
          'symbol=BRK.B',
          'symbol=C%3A%5CD',
          'symbol=a b',
          'symbol=it%27s',
          'symbol=x%25y%3Dz',
        ]);
        // One folder level per partition: the '/' in A/B does not create a sub-folder.
        for (const f of await lake.files('by_symbol')) expect(f.path.split('/')).toHaveLength(3);

        for (const [i, symbol] of tricky.entries()) {
          const got = await lake.read('by_symbol', { where: { symbol } });
          expect(got.rows).toEqual([
            { symbol, date: '2024-01-02', close: i },
            { symbol, date: '2024-01-03', close: i + 0.5 },
          ]);
        }
        const viaSql = await lake.query(
          `SELECT symbol, count(*)::INTEGER AS n FROM by_symbol GROUP BY symbol ORDER BY symbol`,
        );
        expect(viaSql.rows).toEqual([...tricky].sort().map((symbol) => ({ symbol, n: 2 })));

        // Replacing a partition by its raw value escapes it the same way.
        const replaced = await lake.write(
          'by_symbol',
          { rows: [{ symbol: 'A/B', date: '2024-01-04', close: 9 }] },
          { mode: 'replace', partitions: ['A/B'] },
        );
        expect(replaced).toMatchObject({ partitions: ['symbol=A%2FB'], filesRemoved: 1 });
        expect((await lake.read('by_symbol', { where: { symbol: 'A/B' } })).rows).toEqual([
          { symbol: 'A/B', date: '2024-01-04', close: 9 },
        ]);
        expect((await lake.read('by_symbol')).rows).toHaveLength(11);

        // Other engines decode the Hive folder names to the same values.
        await withDuck(async (duck) => {
          const manifest = readFileSync(
            path.join(root, 'by_symbol', '_symlink_format_manifest', 'manifest'),
            'utf8',
          )
            .trim()
            .split('\n');
          const list = `[${manifest.map(sqlString).join(', ')}]`;
          const external = await duck.rows(
            `SELECT symbol, count(*)::INTEGER AS n FROM read_parquet(${list}, hive_partitioning = true) GROUP BY symbol ORDER BY symbol`,
          );
          expect(external.map((r) => r['symbol'])).toEqual([...tricky].sort());
        });

        // Compaction computes each row's partition again from the decoded value, and must find
        // the same folders: two appends to a keyless dataset give each folder two files.
        await lake.createDataset({
          name: 'ticks_by_symbol',
          columns: [
            { name: 'symbol', type: 'VARCHAR', nullable: false },
            { name: 'price', type: 'DOUBLE' },
          ],
          primaryKey: [],
          partitioning: { kind: 'column', column: 'symbol' },
        });
        for (const price of [1, 2]) {
          await lake.write('ticks_by_symbol', {
            rows: tricky.map((symbol) => ({ symbol, price })),
          });
        }
        expect(await lake.files('ticks_by_symbol')).toHaveLength(2 * tricky.length);
        const [compacted] = await lake.compact({
          dataset: 'ticks_by_symbol',
          smallFileBytes: 1 << 30,
        });
        expect(compacted?.partitions).toEqual(result.partitions);
        const files = await lake.files('ticks_by_symbol');
        expect(files.map((f) => f.partition).sort()).toEqual(result.partitions);
        const ticks = await lake.query(
          'SELECT symbol, sum(price)::INTEGER AS total FROM ticks_by_symbol GROUP BY symbol ORDER BY symbol',
        );
        expect(ticks.rows).toEqual([...tricky].sort().map((symbol) => ({ symbol, total: 3 })));
      });
    },
  );

  it.skipIf(backend.skip)(
    'lets other engines read a year-partitioned dataset by globbing its folder',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        await lake.write('bars_1d', {
          rows: [
            {
              symbol: 'AAPL',
              date: '2023-12-29',
              open: 1,
              high: 2,
              low: 0.5,
              close: 1.5,
              volume: 10,
            },
            {
              symbol: 'AAPL',
              date: '2024-01-02',
              open: 1,
              high: 2,
              low: 0.5,
              close: 1.5,
              volume: 10,
            },
          ],
        });
        await withDuck(async (duck) => {
          const got = await duck.rows(
            `SELECT CAST(year AS INTEGER) AS year, CAST(date AS VARCHAR) AS date FROM read_parquet(${sqlString(path.join(root, 'bars_1d', '*', '*.parquet'))}, hive_partitioning = true) ORDER BY date`,
          );
          expect(got).toEqual([
            { year: 2023, date: '2023-12-29' },
            { year: 2024, date: '2024-01-02' },
          ]);
        });
      });
    },
  );

  it.skipIf(backend.skip)(
    "records each file's lowest and highest key, compared column by column, for keys of one to three columns",
    async () => {
      await withLake(backend, async ({ lake }) => {
        // A seeded shuffle of venue x symbol x day, so no key order is given by the input.
        let seed = 7;
        const random = (): number => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
        const input: { venue: string; sym: string; day: string; n: number }[] = [];
        for (const venue of ['XNYS', 'XKRX', 'ARCX'])
          for (const sym of ['B', 'AA', 'A', 'C'])
            for (const day of ['2024-03-01', '2024-01-15', '2024-02-29', '2023-12-31'])
              input.push({ venue, sym, day, n: input.length });
        input.sort(() => random() - 0.5);
        const sorted = (keys: string[]) =>
          [...input].sort((a, b) => {
            for (const k of keys) {
              const x = a[k as keyof typeof a];
              const y = b[k as keyof typeof b];
              if (x !== y) return x < y ? -1 : 1;
            }
            return 0;
          });
        const cases: { keys: string[]; partitioning: Partitioning }[] = [
          { keys: ['n'], partitioning: { kind: 'none' } },
          { keys: ['sym', 'day', 'venue'], partitioning: { kind: 'year', column: 'day' } },
          { keys: ['venue', 'sym', 'day'], partitioning: { kind: 'column', column: 'venue' } },
        ];
        for (const [i, { keys, partitioning }] of cases.entries()) {
          const name = `keys_${i}`;
          await lake.createDataset({
            name,
            columns: [
              { name: 'venue', type: 'VARCHAR', nullable: false },
              { name: 'sym', type: 'VARCHAR', nullable: false },
              { name: 'day', type: 'DATE', nullable: false },
              { name: 'n', type: 'INTEGER', nullable: false },
            ],
            primaryKey: keys,
            partitioning,
          });
          await lake.write(name, { rows: input });
          for (const f of await lake.files(name)) {
            const inFile = sorted(keys).filter((r) => {
              if (partitioning.kind === 'year') return `year=${r.day.slice(0, 4)}` === f.partition;
              if (partitioning.kind === 'column') return `venue=${r.venue}` === f.partition;
              return true;
            });
            const key = (r: (typeof input)[number]) =>
              keys.map((k) => (k === 'n' ? r.n : r[k as 'venue' | 'sym' | 'day']));
            expect(f.rows).toBe(inFile.length);
            expect([f.minKey, f.maxKey]).toEqual([key(inFile[0]!), key(inFile.at(-1)!)]);
          }
        }
      });
    },
  );
});

describe('lake partitioning and the host time zone', () => {
  it('puts a TIMESTAMPTZ row in its UTC date partition even when the host runs in another zone', async () => {
    await withTempDir(async (dir) => {
      // The parent pins TZ=UTC (vitest config), so the write runs in a child in Asia/Seoul (UTC+9).
      const script = `
        const { openMetaStore } = await import(${JSON.stringify(distModule('meta/index.js'))});
        const { Lake } = await import(${JSON.stringify(distModule('lake/index.js'))});
        const store = await openMetaStore(${JSON.stringify(`sqlite:${dir}/meta.sqlite`)});
        const lake = await Lake.open({ store, root: ${JSON.stringify(`${dir}/lake`)}, threads: 1 });
        try {
          await lake.createDataset({ name: 'ticks', columns: [
            { name: 'sym', type: 'VARCHAR' }, { name: 'ts', type: 'TIMESTAMPTZ' }, { name: 'p', type: 'DOUBLE' },
          ], primaryKey: ['sym', 'ts'], partitioning: { kind: 'date', column: 'ts' } });
          const r = await lake.write('ticks', { rows: [
            { sym: 'A', ts: '2024-01-01T23:30:00Z', p: 1 },
            { sym: 'A', ts: '2024-01-02 00:30:00+09', p: 2 },
            { sym: 'A', ts: '2024-01-02 08:59:59', p: 3 },
          ] });
          console.log(JSON.stringify(r.partitions));
        } finally { lake.close(); await store.close(); }`;
      const child = await runNode(['--input-type=module', '-e', script], {
        env: { TZ: 'Asia/Seoul' },
      });
      expect(child.stderr).toBe('');
      expect(child.code).toBe(0);
      // 23:30Z and 00:30+09 (15:30Z) are 2024-01-01 in UTC; a zone-less text is read as UTC.
      expect(JSON.parse(child.stdout)).toEqual(['date=2024-01-01', 'date=2024-01-02']);
    });
  });
});
