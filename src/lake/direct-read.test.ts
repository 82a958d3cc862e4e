import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compress } from 'zstd-napi';
import { backends } from '../../test/helpers/backends.js';
import { failure } from '../../test/helpers/errors.js';
import { makeTempDir, removeDir } from '../../test/helpers/temp-dir.js';
import { withLake } from '../../test/helpers/with-lake.js';
import type { Dataset, DatasetSpec } from './dataset-spec.js';
import { DirectReader } from './direct-read.js';
import { DuckEngine } from './duck-engine.js';
import { Lake } from './lake.js';
import type { ReadOptions } from './read-options.js';

/** A dataset with every column type the direct reader decodes, several years and odd values. */
const ticks: DatasetSpec = {
  name: 'ticks',
  columns: [
    { name: 'sym', type: 'VARCHAR', nullable: false },
    { name: 'd', type: 'DATE', nullable: false },
    { name: 'px', type: 'DOUBLE' },
    { name: 'n', type: 'INTEGER' },
    { name: 'big', type: 'BIGINT' },
    { name: 'ts', type: 'TIMESTAMP' },
    { name: 'flag', type: 'BOOLEAN' },
    { name: 'note', type: 'VARCHAR' },
  ],
  primaryKey: ['sym', 'd'],
  partitioning: { kind: 'year', column: 'd' },
};

/** 23 symbols x 200 weeks from 1968 (dates before 1970 are negative day numbers). */
const ticksSql = (offsetDays: number, symbols = 23): string => `
  SELECT 'S' || (i % ${symbols})::VARCHAR AS sym,
    DATE '1968-12-23' + ((i // ${symbols}) * 7 + ${offsetDays})::INT AS d,
    CASE i % 17 WHEN 0 THEN NULL WHEN 1 THEN 'NaN'::DOUBLE WHEN 2 THEN 'Infinity'::DOUBLE
      WHEN 3 THEN '-Infinity'::DOUBLE WHEN 4 THEN -0.0 ELSE round((i * 37 % 1000) / 7.0, 4) END AS px,
    CASE WHEN i % 9 = 0 THEN NULL ELSE (i * 7919 % 200000) - 100000 END::INTEGER AS n,
    CASE i % 10 WHEN 0 THEN 9223372036854775807 WHEN 1 THEN -9223372036854775808 WHEN 2 THEN NULL
      ELSE i * 1000003 END::BIGINT AS big,
    CASE WHEN i % 8 = 0 THEN NULL ELSE TIMESTAMP '1969-12-31 23:59:59' + to_microseconds(i * 3600123457) END AS ts,
    CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END AS flag,
    CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'é' || i WHEN 3 THEN '😀' || i
      WHEN 4 THEN chr(65533) || i ELSE 'plain ' || i END AS note
  FROM range(${symbols * 200}) t(i)`;

/** Reads that the direct reader serves: an equality on the first key column, and more. */
const served: ReadOptions[] = [
  { where: { sym: 'S3' } },
  { where: { sym: 'S0' } },
  { where: { sym: 'S22' } },
  { where: { sym: 'NOPE' } },
  { where: { sym: 'S7', d: { from: '1969-06-01', to: '1970-02-01' } } },
  { where: { sym: 'S7', d: '1969-12-29' } },
  { where: { sym: 'S11', px: { from: '100', to: 120 } }, columns: ['d', 'px'] },
  { where: { sym: 'S11', n: { to: 0 }, big: { from: '-9223372036854775808' } } },
  { where: { sym: 'S5', px: '-0' } },
  { where: { sym: 'S5' }, orderBy: ['note', 'd'] },
  { where: { sym: 'S5' }, orderBy: ['px', 'd'], columns: ['px', 'ts', 'sym'] },
  { where: { sym: 'S5' }, orderBy: ['flag', 'big', 'd'], limit: 7 },
  { where: { sym: 'S9' }, limit: 0 },
];

/** Reads it leaves to DuckDB (each for a reason named beside it). */
const unserved: ReadOptions[] = [
  { where: { d: '1969-12-29' } }, // no key equality
  { where: { sym: { from: 'S1', to: 'S2' } } }, // a key range
  { where: { sym: 'S1', ts: { from: '1970-01-01' } } }, // a timestamp filter
  { where: { sym: 'S1', flag: true } }, // a boolean filter
  { where: { sym: 'S1', d: '1969-12-1' } }, // a date DuckDB parses its own way
  { where: { sym: 'S1', n: '1.5' } }, // DuckDB rounds it
  { where: { sym: 'S1', px: '1e3' } }, // DuckDB parses exponents
  { where: { sym: 7 } }, // a number for a text key
  { where: { sym: 'S1' }, columns: ['d', 'd'] }, // repeated column names
];

/** The rows a read gives through the direct reader (asserted to serve it) and through DuckDB. */
async function bothWays(
  fast: Lake,
  slow: Lake,
  name: string,
  options: ReadOptions,
): Promise<{ direct: unknown; duck: unknown; served: boolean }> {
  const spy = vi.spyOn(DirectReader.prototype, 'read');
  const direct = await fast.read(name, options);
  const servedIt = spy.mock.results.some((r) => r.type === 'return' && r.value !== undefined);
  spy.mockRestore();
  return { direct, duck: await slow.read(name, options), served: servedIt };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(backends)('direct point reads on $name', (backend) => {
  it.skipIf(backend.skip)(
    'give exactly the rows DuckDB gives, across files, row groups, types and versions',
    async () => {
      await withLake(
        backend,
        async ({ lake, store, root }) => {
          await lake.createDataset(ticks);
          await lake.write('ticks', { sql: ticksSql(0) });
          // A second write in the same years: more files whose key ranges overlap the first.
          await lake.write('ticks', { sql: ticksSql(3, 7) }, { mode: 'append' });
          expect((await lake.files('ticks')).length).toBeGreaterThan(4);
          const slow = await Lake.open({ store, root, directReads: false });
          try {
            for (const options of [...served, { ...served[0]!, version: 1 }]) {
              const r = await bothWays(lake, slow, 'ticks', options);
              expect(r.served, JSON.stringify(options)).toBe(true);
              expect(r.direct, JSON.stringify(options)).toEqual(r.duck);
            }
            const s3 = await lake.read('ticks', { where: { sym: 'S3' } });
            expect(s3.rows.length).toBeGreaterThan(200);
            expect(s3.rows.some((row) => row['px'] === 'Infinity')).toBe(true);
            for (const options of unserved) {
              const r = await bothWays(lake, slow, 'ticks', options);
              expect(r.served, JSON.stringify(options)).toBe(false);
              expect(r.direct, JSON.stringify(options)).toEqual(r.duck);
            }
            // The same bars through both readers, on the built-in dataset.
            await lake.write('bars_1d', {
              sql: `SELECT 'A' || (i % 40)::VARCHAR AS symbol, DATE '2023-11-01' + (i // 40)::INT AS date,
                10.0 + i % 7 AS open, 11.0 + i % 7 AS high, 9.0 + i % 7 AS low, 10.5 + i % 7 AS close,
                1000 + i AS volume FROM range(40 * 120) t(i)`,
            });
            const bars = await bothWays(lake, slow, 'bars_1d', { where: { symbol: 'A17' } });
            expect(bars.served).toBe(true);
            expect(bars.direct).toEqual(bars.duck);
          } finally {
            slow.close();
          }
        },
        { rowGroupSize: 50 },
      );
    },
  );

  it.skipIf(backend.skip)(
    'leave damaged files and column-partitioned datasets to DuckDB',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        await lake.createDataset({
          ...ticks,
          name: 'by_sym',
          partitioning: { kind: 'column', column: 'sym' },
        });
        await lake.write('by_sym', { sql: ticksSql(0, 3) });
        const spy = vi.spyOn(DirectReader.prototype, 'read');
        const bySym = await lake.read('by_sym', { where: { sym: 'S1' } });
        expect(bySym.rows).toHaveLength(200);
        expect(spy.mock.results[0]?.value).toBeUndefined();

        await lake.createDataset(ticks);
        await lake.write('ticks', { sql: ticksSql(0, 3) });
        const before = await lake.read('ticks', { where: { sym: 'S1' } });
        expect(spy.mock.results[1]?.value).toBeDefined();
        // Scribble over the middle of a file: the direct reader declines it, and DuckDB's error
        // is the one the caller sees.
        const file = path.join(root, (await lake.files('ticks'))[0]!.path);
        const bytes = readFileSync(file);
        bytes.fill(0x5a, 200, Math.min(bytes.length - 400, 4000));
        writeFileSync(file, bytes);
        const damaged = await failure(lake.read('ticks', { where: { sym: 'S1' } }));
        expect(damaged.code).toBe('LAKE_QUERY_FAILED');
        expect(damaged.message).toMatch(
          /^Reading "ticks" version 1 failed in DuckDB: .+lake history ticks/,
        );
        expect(spy.mock.results[2]?.value).toBeUndefined();
        expect(before.rows).toHaveLength(200);
      });
    },
  );
});

describe('direct reads of Parquet written by other tools', () => {
  const dataset = (columns: DatasetSpec['columns']): Dataset => ({
    name: 'x',
    description: '',
    columns,
    primaryKey: ['sym', 'd'],
    partitioning: { kind: 'none' },
    checks: [],
    builtin: false,
    headVersion: 1,
    createdAt: '',
    updatedAt: '',
  });

  it('decode several v2 pages per chunk, PLAIN and dictionary, zstd, with NULLs', () => {
    const dir = makeTempDir();
    try {
      const n = 30_000;
      const sym = Array.from(
        { length: n },
        (_, i) => `K${String(Math.floor(i / 1000)).padStart(2, '0')}`,
      );
      const day = (i: number): number => 10_000 + (i % 1000);
      const at = (i: number): Record<string, unknown> => ({
        sym: sym[i],
        d: new Date(day(i) * 86_400_000).toISOString().slice(0, 10),
        px: px[i],
        big: big[i] === null ? null : String(big[i]),
        note: note[i],
      });
      const px = Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : i / 4));
      const big = Array.from({ length: n }, (_, i) =>
        i % 7 === 0 ? null : BigInt(i) * 3_000_000_000n,
      );
      const note = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `note ${i} ✓`));
      const buffer = parquetWriteBuffer({
        codec: 'ZSTD',
        compressors: { ZSTD: (input: Uint8Array) => compress(input) },
        pageSize: 16 * 1024,
        rowGroupSize: 12_000,
        schema: [
          { name: 'root', num_children: 5 },
          { name: 'sym', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
          { name: 'd', type: 'INT32', converted_type: 'DATE', repetition_type: 'REQUIRED' },
          { name: 'px', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
          { name: 'big', type: 'INT64', repetition_type: 'OPTIONAL' },
          { name: 'note', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        ],
        columnData: [
          { name: 'sym', data: sym },
          { name: 'd', data: Array.from({ length: n }, (_, i) => new Date(day(i) * 86_400_000)) },
          { name: 'px', data: px },
          { name: 'big', data: big },
          { name: 'note', data: note, encoding: 'PLAIN' },
        ],
      });
      const file = path.join(dir, 'v2.parquet');
      writeFileSync(file, new Uint8Array(buffer));
      const ds = dataset([
        { name: 'sym', type: 'VARCHAR' },
        { name: 'd', type: 'DATE' },
        { name: 'px', type: 'DOUBLE' },
        { name: 'big', type: 'BIGINT' },
        { name: 'note', type: 'VARCHAR' },
      ]);
      const reader = new DirectReader();
      const rows = reader.read(ds, [file], { where: { sym: 'K17' } });
      expect(rows).toBeDefined();
      expect(rows).toHaveLength(1000);
      const range = (from: number, to: number): number[] =>
        Array.from({ length: to - from }, (_, k) => from + k);
      expect(rows).toEqual(range(17_000, 18_000).map(at));
      // A lookup that would decode more rows than the reader's limit is left to DuckDB.
      expect(
        new DirectReader(512, 11_999).read(ds, [file], { where: { sym: 'K17' } }),
      ).toBeUndefined();
      expect(
        new DirectReader(512, 12_000).read(ds, [file], { where: { sym: 'K17' } }),
      ).toHaveLength(1000);
      // A second read comes from the cached footer, with a filter past the first pages.
      expect(reader.read(ds, [file], { where: { sym: 'K29', px: { from: 7499 } } })).toEqual(
        range(29_000, 30_000)
          .filter((i) => (px[i] ?? -1) >= 7499)
          .map(at),
      );
    } finally {
      removeDir(dir);
    }
  });

  it('decode DuckDB files in every codec it writes that the reader knows, and decline the rest', async () => {
    const dir = makeTempDir();
    const engine = await DuckEngine.create({
      memoryLimit: '256MB',
      threads: 1,
      tempDir: path.join(dir, 'tmp'),
    });
    try {
      const ds = dataset([
        { name: 'sym', type: 'VARCHAR' },
        { name: 'd', type: 'DATE' },
        { name: 'px', type: 'DOUBLE' },
        { name: 'note', type: 'VARCHAR' },
      ]);
      const sql = `SELECT 'S' || lpad((i // 300)::VARCHAR, 3, '0') AS sym, DATE '2000-01-01' + (i % 300)::INT AS d,
        CASE WHEN i % 7 = 0 THEN NULL ELSE i * 1.5 END::DOUBLE AS px, md5(i::VARCHAR) AS note FROM range(30000) t(i)`;
      const reader = new DirectReader();
      for (const [name, options, decodes] of [
        ['snappy', 'COMPRESSION snappy', true],
        ['gzip', 'COMPRESSION gzip', true],
        ['none', 'COMPRESSION uncompressed', true],
        ['lz4', 'COMPRESSION lz4', false],
        ['v2', 'COMPRESSION zstd, PARQUET_VERSION V2', false],
      ] as const) {
        const file = path.join(dir, `${name}.parquet`);
        const expected = await engine.withConnection(async (conn) => {
          await conn.run(
            `COPY (${sql}) TO '${file}' (FORMAT parquet, ${options}, ROW_GROUP_SIZE 4096)`,
          );
          const result = await conn.runAndReadAll(
            `SELECT sym, strftime(d, '%Y-%m-%d') AS d, px, note FROM '${file}' WHERE sym = 'S042' ORDER BY d`,
          );
          return result.getRowObjectsJson();
        });
        const rows = reader.read(ds, [file], { where: { sym: 'S042' } });
        if (decodes) expect(rows, name).toEqual(expected);
        else expect(rows, name).toBeUndefined();
      }
    } finally {
      engine.close();
      removeDir(dir);
    }
  });
});
