import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { bar, keysOf } from '../../test/helpers/bars.js';
import { sqlString, withDuck } from '../../test/helpers/duck.js';
import { failure } from '../../test/helpers/errors.js';
import { withLake } from '../../test/helpers/with-lake.js';
import type { Lake } from './index.js';

const DAY_MS = 86_400_000;

/** The manifest's lines, and the absolute paths of the head's files, both sorted. */
async function manifestAndHead(
  lake: Lake,
  root: string,
  dataset: string,
): Promise<{ manifest: string[]; head: string[] }> {
  const text = readFileSync(
    path.join(root, dataset, '_symlink_format_manifest', 'manifest'),
    'utf8',
  );
  const manifest = text.split('\n').filter(Boolean).sort();
  const head = (await lake.files(dataset)).map((f) => path.join(root, f.path)).sort();
  return { manifest, head };
}

describe.each(backends)('lake maintenance on $name', (backend) => {
  it.skipIf(backend.skip)(
    'compacts the small files of a keyless dataset partition into one, keeping every row',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        await lake.createDataset({
          name: 'trades',
          columns: [
            { name: 'ts', type: 'TIMESTAMP', nullable: false },
            { name: 'symbol', type: 'VARCHAR' },
            { name: 'price', type: 'DOUBLE' },
          ],
          primaryKey: [],
          partitioning: { kind: 'month', column: 'ts' },
        });
        const batch = (day: number, p: number) => [
          { ts: `2024-01-${String(day).padStart(2, '0')} 10:00:00`, symbol: 'AAPL', price: p },
          { ts: `2024-01-${String(day).padStart(2, '0')} 10:00:00`, symbol: 'AAPL', price: p },
        ];
        await lake.write('trades', { rows: batch(3, 1) });
        await lake.write('trades', { rows: batch(2, 2) });
        // Append-only: identical rows are kept, not upserted.
        await lake.write('trades', { rows: batch(3, 1) });
        await lake.write('trades', {
          rows: [{ ts: '2024-02-01 10:00:00', symbol: 'MSFT', price: 9 }],
        });
        const before = await lake.files('trades');
        expect(before.map((f) => f.partition)).toEqual([
          'month=2024-01',
          'month=2024-01',
          'month=2024-01',
          'month=2024-02',
        ]);
        const rowsBefore = keysOf((await lake.read('trades')).rows, 'ts', 'symbol', 'price');
        expect(rowsBefore).toHaveLength(7);

        const [result] = await lake.compact({ dataset: 'trades', smallFileBytes: 1 << 30 });
        expect(result).toEqual({
          dataset: 'trades',
          version: 5,
          partitions: ['month=2024-01'],
          filesBefore: 4,
          filesAfter: 2,
        });
        const after = await lake.files('trades');
        expect(after.map((f) => [f.partition, f.rows])).toEqual([
          ['month=2024-01', 6],
          ['month=2024-02', 1],
        ]);
        // The partition that had one file is left alone.
        expect(after[1]!.id).toBe(before[3]!.id);
        expect(keysOf((await lake.read('trades')).rows, 'ts', 'symbol', 'price')).toEqual(
          rowsBefore,
        );
        expect((await lake.history('trades'))[0]).toMatchObject({
          version: 5,
          operation: 'compact',
          writer: 'compact',
          rowsAdded: 6,
          rowsRemoved: 6,
          filesAdded: 1,
          filesRemoved: 3,
          rows: 7,
          files: 2,
        });
        // Readers of the version before compaction still see their files.
        expect(await lake.files('trades', 4)).toHaveLength(4);
        for (const f of before) expect(existsSync(path.join(root, f.path))).toBe(true);
        expect(
          keysOf((await lake.read('trades', { version: 4 })).rows, 'ts', 'symbol', 'price'),
        ).toEqual(rowsBefore);

        // Nothing left to compact: no new version.
        const [again] = await lake.compact({ dataset: 'trades', smallFileBytes: 1 << 30 });
        expect(again).toEqual({
          dataset: 'trades',
          version: 5,
          partitions: [],
          filesBefore: 2,
          filesAfter: 2,
        });
        // Files above the size threshold are not "small".
        await lake.write('trades', { rows: batch(4, 3) });
        const [big] = await lake.compact({ dataset: 'trades', smallFileBytes: 1 });
        expect(big).toMatchObject({ version: 6, partitions: [] });
      });
    },
  );

  it.skipIf(backend.skip)(
    'compaction leaves keyed datasets (one file per partition) and empty datasets alone',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await lake.write('bars_1d', { rows: [bar('AAPL', '2024-01-02')] });
        await lake.write('bars_1d', { rows: [bar('AAPL', '2024-01-03')] });
        const results = await lake.compact({ smallFileBytes: 1 << 30 });
        expect(results).toEqual([
          { dataset: 'bars_1d', version: 2, partitions: [], filesBefore: 1, filesAfter: 1 },
          { dataset: 'bars_1m', version: 0, partitions: [], filesBefore: 0, filesAfter: 0 },
          { dataset: 'check_failures', version: 0, partitions: [], filesBefore: 0, filesAfter: 0 },
          { dataset: 'check_runs', version: 0, partitions: [], filesBefore: 0, filesAfter: 0 },
          {
            dataset: 'corporate_actions',
            version: 0,
            partitions: [],
            filesBefore: 0,
            filesAfter: 0,
          },
          { dataset: 'instruments', version: 0, partitions: [], filesBefore: 0, filesAfter: 0 },
        ]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'vacuum removes versions older than the retention and their files, keeping the head and time travel within it',
    async () => {
      await withLake(backend, async ({ lake, store, root }) => {
        // Three versions, each rewriting the 2024 partition; 2023 is written once.
        await lake.write('bars_1d', {
          rows: [
            bar('AAPL', '2023-12-29', { close: 0.5 }),
            bar('AAPL', '2024-01-02', { close: 1 }),
          ],
        });
        await lake.write('bars_1d', { rows: [bar('AAPL', '2024-01-02', { close: 2 })] });
        await lake.write('bars_1d', { rows: [bar('AAPL', '2024-01-02', { close: 3 })] });
        const filesOf = new Map<number, string[]>();
        for (const v of [1, 2, 3])
          filesOf.set(
            v,
            (await lake.files('bars_1d', v)).map((f) => f.path),
          );
        const [only1] = filesOf.get(1)!.filter((p) => !filesOf.get(2)!.includes(p));
        const [only2] = filesOf.get(2)!.filter((p) => !filesOf.get(3)!.includes(p));
        const shared = filesOf.get(1)!.find((p) => p.includes('year=2023'))!;
        // Commits happened moments ago; date them to known days instead of waiting.
        const stamps: Record<number, string> = {
          1: '2024-01-01T00:00:00.000Z',
          2: '2024-01-05T00:00:00.000Z',
          3: '2024-01-09T00:00:00.000Z',
        };
        for (const [version, createdAt] of Object.entries(stamps)) {
          await store.db
            .updateTable('dataset_versions')
            .set({ created_at: createdAt })
            .where('dataset', '=', 'bars_1d')
            .where('version', '=', Number(version))
            .execute();
        }
        const bytes1 = (await lake.files('bars_1d', 1)).find((f) => f.path === only1)!.bytes;

        // Nothing is old enough yet: version 1 was current until 2024-01-05, within 7 days of 2024-01-07.
        const none = await lake.vacuum({
          dataset: 'bars_1d',
          retentionMs: 7 * DAY_MS,
          now: Date.parse('2024-01-07T00:00:00Z'),
        });
        expect(none['bars_1d']).toEqual({
          versionsRemoved: 0,
          filesRemoved: 0,
          bytesRemoved: 0,
          orphansRemoved: 0,
          stagingRemoved: 0,
        });

        // Cutoff 2024-01-06: version 2 was current then, so it stays readable; version 1 goes.
        const first = await lake.vacuum({
          dataset: 'bars_1d',
          retentionMs: 7 * DAY_MS,
          now: Date.parse('2024-01-13T00:00:00Z'),
        });
        expect(first).toEqual({
          bars_1d: {
            versionsRemoved: 1,
            filesRemoved: 1,
            bytesRemoved: bytes1,
            orphansRemoved: 0,
            stagingRemoved: 0,
          },
        });
        expect(existsSync(path.join(root, only1!))).toBe(false);
        expect(existsSync(path.join(root, only2!))).toBe(true);
        expect(existsSync(path.join(root, shared))).toBe(true);
        expect((await lake.history('bars_1d')).map((v) => v.version)).toEqual([3, 2]);
        expect((await failure(lake.read('bars_1d', { version: 1 }))).code).toBe(
          'LAKE_VERSION_NOT_FOUND',
        );
        expect((await lake.read('bars_1d', { version: 2 })).rows.map((r) => r['close'])).toEqual([
          0.5, 2,
        ]);
        expect((await lake.read('bars_1d')).rows.map((r) => r['close'])).toEqual([0.5, 3]);

        // Much later only the head remains, and it still reads.
        const second = await lake.vacuum({
          dataset: 'bars_1d',
          retentionMs: 7 * DAY_MS,
          now: Date.parse('2024-03-01T00:00:00Z'),
        });
        expect(second['bars_1d']).toMatchObject({ versionsRemoved: 1, filesRemoved: 1 });
        expect(existsSync(path.join(root, only2!))).toBe(false);
        expect((await lake.history('bars_1d')).map((v) => v.version)).toEqual([3]);
        expect((await lake.read('bars_1d')).rows.map((r) => r['close'])).toEqual([0.5, 3]);
        for (const f of await lake.files('bars_1d'))
          expect(existsSync(path.join(root, f.path))).toBe(true);

        // Without a retention, vacuum removes no version.
        await lake.write('bars_1d', { rows: [bar('AAPL', '2024-01-02', { close: 4 })] });
        expect((await lake.vacuum({ dataset: 'bars_1d' }))['bars_1d']).toMatchObject({
          versionsRemoved: 0,
          filesRemoved: 0,
        });
        expect((await lake.history('bars_1d')).map((v) => v.version)).toEqual([4, 3]);
      });
    },
  );

  it.skipIf(backend.skip)(
    "vacuum removes orphan files and crashed writers' staging folders, and nothing the catalog lists",
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        await lake.write('bars_1d', {
          rows: [bar('AAPL', '2024-01-02'), bar('AAPL', '2023-01-03')],
        });
        const files = await lake.files('bars_1d');
        const some = path.join(root, files[0]!.path);
        // A file renamed into place by a writer that crashed before its commit ...
        const orphan = path.join(
          root,
          'bars_1d',
          'year=2024',
          'part-00000000-0000-0000-0000-000000000000.parquet',
        );
        copyFileSync(some, orphan);
        const orphanElsewhere = path.join(
          root,
          'bars_1d',
          'year=1999',
          'part-11111111-1111-1111-1111-111111111111.parquet',
        );
        mkdirSync(path.dirname(orphanElsewhere), { recursive: true });
        copyFileSync(some, orphanElsewhere);
        // ... and staging folders of crashed writers of bars_1d and of another dataset.
        const staging = path.join(root, '_staging', 'bars_1d--01crashedwriter');
        mkdirSync(staging, { recursive: true });
        copyFileSync(some, path.join(staging, 'x.parquet'));
        const otherStaging = path.join(root, '_staging', 'instruments--01other');
        mkdirSync(otherStaging, { recursive: true });
        writeFileSync(path.join(otherStaging, 'y.parquet'), 'partial');
        // An import's decompressed copy: a day-old one was left by a crash, a fresh one may be
        // in use by an import that holds no lease yet.
        const oldCopy = path.join(root, '_staging', '_import--bars_1d--imp_old');
        const freshCopy = path.join(root, '_staging', '_import--bars_1d--imp_fresh');
        for (const d of [oldCopy, freshCopy]) {
          mkdirSync(d, { recursive: true });
          writeFileSync(path.join(d, 'bars.csv'), 'symbol,date\n');
        }
        const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
        utimesSync(oldCopy, twoDaysAgo, twoDaysAgo);
        // Readers never glob, so the orphan is invisible even before vacuum.
        expect((await lake.read('bars_1d')).rows).toHaveLength(2);

        const result = await lake.vacuum({ dataset: 'bars_1d' });
        expect(result).toEqual({
          bars_1d: {
            versionsRemoved: 0,
            filesRemoved: 0,
            bytesRemoved: 2 * files[0]!.bytes,
            orphansRemoved: 2,
            stagingRemoved: 2,
          },
        });
        expect(existsSync(oldCopy)).toBe(false);
        expect(existsSync(freshCopy)).toBe(true);
        expect(existsSync(orphan)).toBe(false);
        expect(existsSync(orphanElsewhere)).toBe(false);
        expect(existsSync(staging)).toBe(false);
        expect(existsSync(otherStaging)).toBe(true);
        for (const f of files) expect(existsSync(path.join(root, f.path))).toBe(true);
        expect((await lake.read('bars_1d')).rows).toHaveLength(2);

        // Vacuuming every dataset also cleans the other dataset's staging folder.
        const all = await lake.vacuum();
        expect(Object.keys(all)).toEqual([
          'bars_1d',
          'bars_1m',
          'check_failures',
          'check_runs',
          'corporate_actions',
          'instruments',
        ]);
        expect(all['instruments']).toMatchObject({ stagingRemoved: 1 });
        expect(existsSync(otherStaging)).toBe(false);
      });
    },
  );

  it.skipIf(backend.skip)(
    "keeps each dataset's symlink manifest listing exactly the head's files",
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        await lake.write('bars_1d', {
          rows: [bar('AAPL', '2023-12-29'), bar('AAPL', '2024-01-02')],
        });
        let m = await manifestAndHead(lake, root, 'bars_1d');
        expect(m.manifest).toHaveLength(2);
        expect(m.manifest).toEqual(m.head);

        await lake.write('bars_1d', { rows: [bar('MSFT', '2024-01-02')] });
        m = await manifestAndHead(lake, root, 'bars_1d');
        expect(m.manifest).toEqual(m.head);
        expect(m.manifest.some((p) => !existsSync(p))).toBe(false);

        // Engines that read the manifest see the head's rows, not superseded files still on disk.
        await withDuck(async (duck) => {
          const list = `[${m.manifest.map(sqlString).join(', ')}]`;
          expect(
            await duck.rows(`SELECT count(*)::INTEGER AS n FROM read_parquet(${list})`),
          ).toEqual([{ n: 3 }]);
        });

        // A crash between the commit and the manifest write is repaired by vacuum.
        const file = path.join(root, 'bars_1d', '_symlink_format_manifest', 'manifest');
        rmSync(file);
        await lake.vacuum({ dataset: 'bars_1d' });
        m = await manifestAndHead(lake, root, 'bars_1d');
        expect(m.manifest).toEqual(m.head);

        // A head without files has an empty manifest.
        await lake.write(
          'bars_1d',
          { rows: [] },
          { mode: 'replace', partitions: ['2023', '2024'] },
        );
        expect(readFileSync(file, 'utf8')).toBe('');
        expect(await lake.files('bars_1d')).toEqual([]);
      });
    },
  );
});
