import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { bar } from '../../test/helpers/bars.js';
import { failure } from '../../test/helpers/errors.js';
import { withLake } from '../../test/helpers/with-lake.js';

/** Every entry under a folder, relative to it (files and folders). */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe.each(backends)('lake query sandbox on $name', (backend) => {
  it.skipIf(backend.skip)(
    'runs SELECT over every dataset, as views over the committed head',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await lake.write('bars_1d', {
          rows: [
            bar('AAPL', '2024-01-02', { close: 10 }),
            bar('AAPL', '2024-01-03', { close: 12 }),
            bar('MSFT', '2024-01-02', { close: 20 }),
          ],
        });
        const result = await lake.query(
          `WITH r AS (SELECT symbol, avg(close) AS avg_close, count(*) AS n FROM bars_1d GROUP BY symbol) SELECT * FROM r ORDER BY symbol`,
        );
        expect(result.columns).toEqual([
          { name: 'symbol', type: 'VARCHAR' },
          { name: 'avg_close', type: 'DOUBLE' },
          { name: 'n', type: 'BIGINT' },
        ]);
        // 64-bit integers travel as strings.
        expect(result.rows).toEqual([
          { symbol: 'AAPL', avg_close: 11, n: '2' },
          { symbol: 'MSFT', avg_close: 20, n: '1' },
        ]);
        expect(result.truncated).toBe(false);
        expect(result.versions).toEqual({
          bars_1d: 1,
          bars_1m: 0,
          check_failures: 0,
          check_runs: 0,
          corporate_actions: 0,
          instruments: 0,
        });
        // Empty datasets are typed, empty relations.
        expect((await lake.query('SELECT count(*)::INTEGER AS n FROM instruments')).rows).toEqual([
          { n: 0 },
        ]);

        // The views follow new versions, including datasets created later.
        await lake.write('bars_1d', { rows: [bar('NVDA', '2024-01-02')] });
        await lake.createDataset({
          name: 'notes',
          columns: [
            { name: 'id', type: 'INTEGER' },
            { name: 'text', type: 'VARCHAR' },
          ],
          primaryKey: ['id'],
          partitioning: { kind: 'none' },
        });
        await lake.write('notes', { rows: [{ id: 1, text: 'hello' }] });
        const joined = await lake.query(
          `SELECT (SELECT count(*)::INTEGER FROM bars_1d) AS bars, (SELECT text FROM notes) AS note`,
        );
        expect(joined.rows).toEqual([{ bars: 4, note: 'hello' }]);
        expect(joined.versions).toMatchObject({ bars_1d: 2, notes: 1 });

        for (const sql of [
          'DESCRIBE bars_1d',
          'SUMMARIZE bars_1d',
          'SHOW TABLES',
          'EXPLAIN SELECT * FROM bars_1d',
          'EXPLAIN ANALYZE SELECT count(*) FROM bars_1d',
          'FROM bars_1d SELECT symbol LIMIT 1',
        ]) {
          await expect(lake.query(sql), sql).resolves.toMatchObject({ truncated: false });
        }
        // Reading the lake's own files by path stays allowed: they are inside the sandbox.
        const [head] = await lake.files('bars_1d');
        const direct = await lake.query(
          `SELECT count(*)::INTEGER AS n FROM read_parquet('${path.join(lake.root, head!.path)}')`,
        );
        expect(direct.rows).toEqual([{ n: 4 }]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'refuses writes, attaches, extensions, settings, several statements and reads outside the lake',
    async () => {
      await withLake(backend, async ({ lake, dir, root }) => {
        await lake.write('bars_1d', { rows: [bar('AAPL', '2024-01-02')] });
        writeFileSync(path.join(dir, 'secret.csv'), 'a,b\n1,2\n');
        const lakeBefore = tree(root);
        const dirBefore = tree(dir).filter((e) => !e.startsWith('lake'));
        const forbidden = [
          `COPY (SELECT 1) TO '${dir}/out.csv'`,
          `COPY bars_1d TO '${root}/bars_1d/year=2024/evil.parquet' (FORMAT parquet)`,
          `COPY (SELECT * FROM bars_1d) TO '${root}/copy.csv'`,
          `EXPLAIN ANALYZE COPY (SELECT 1) TO '${root}/explained.csv'`,
          `EXPORT DATABASE '${root}/export'`,
          `ATTACH '${root}/x.duckdb' AS x`,
          `ATTACH ':memory:' AS m`,
          `SELECT * FROM read_csv('/etc/passwd')`,
          `SELECT * FROM read_text('/etc/hostname')`,
          `SELECT * FROM read_csv('${dir}/secret.csv')`,
          `SELECT * FROM read_text('${root}/../../etc/passwd')`,
          `SELECT * FROM read_text('${root}/../${path.basename(dir)}/secret.csv')`,
          `SELECT * FROM read_blob('${root}/../meta.sqlite')`,
          `SELECT * FROM glob('/etc/*')`,
          `INSTALL httpfs`,
          `LOAD httpfs`,
          `SET enable_external_access = true`,
          `RESET enable_external_access`,
          `SET allowed_directories = ['/']`,
          `PRAGMA enable_profiling`,
          `SELECT 1; SELECT 2`,
          `SELECT 1; COPY (SELECT 1) TO '${root}/second.csv'`,
          `CREATE TABLE t AS SELECT 1 AS x`,
          `CREATE OR REPLACE VIEW bars_1d AS SELECT 1 AS x`,
          `DROP VIEW bars_1d`,
          `INSERT INTO bars_1d (symbol) VALUES ('X')`,
          `CREATE MACRO m(x) AS x`,
          `CHECKPOINT`,
        ];
        for (const sql of forbidden) {
          const err = await failure(lake.query(sql));
          expect(err.code, sql).toBe('LAKE_QUERY_FORBIDDEN');
        }
        // Nothing was written anywhere, and the datasets still read as before.
        expect(tree(root)).toEqual(lakeBefore);
        expect(tree(dir).filter((e) => !e.startsWith('lake'))).toEqual(dirBefore);
        expect((await lake.query('SELECT count(*)::INTEGER AS n FROM bars_1d')).rows).toEqual([
          { n: 1 },
        ]);

        const several = await failure(lake.query('SELECT 1; SELECT 2'));
        expect(several.message).toBe('Send exactly one SQL statement (got 2).');
        const outside = await failure(lake.query(`SELECT * FROM read_csv('/etc/passwd')`));
        expect(outside.message).toContain('/etc/passwd');
        expect(outside.message).toContain("User SQL may only read the lake's datasets");
      });
    },
  );

  it.skipIf(backend.skip)(
    'does not let one query leave objects behind that change later queries',
    async () => {
      await withLake(backend, async ({ lake, root }) => {
        await lake.write('bars_1d', { rows: [bar('AAPL', '2024-01-02')] });
        // read_csv's rejects capture creates temp tables; named like a dataset they would shadow its view.
        const manifest = `${root}/bars_1d/_symlink_format_manifest/manifest`;
        await lake.query(
          `SELECT * FROM read_csv('${manifest}', store_rejects = true, rejects_table = 'bars_1d', rejects_scan = 'instruments')`,
        );
        expect((await lake.query('SELECT symbol FROM bars_1d')).rows).toEqual([{ symbol: 'AAPL' }]);
        expect((await lake.query('SELECT count(*)::INTEGER AS n FROM instruments')).rows).toEqual([
          { n: 0 },
        ]);
      });
    },
  );

  it.skipIf(backend.skip)('reports user mistakes as LAKE_QUERY_FAILED', async () => {
    await withLake(backend, async ({ lake }) => {
      const syntax = await failure(lake.query('SELEC * FROM bars_1d'));
      expect(syntax.code).toBe('LAKE_QUERY_FAILED');
      expect(syntax.message).toMatch(/syntax error at or near "SELEC"/);
      const column = await failure(lake.query('SELECT nope FROM bars_1d'));
      expect(column.code).toBe('LAKE_QUERY_FAILED');
      expect(column.message).toContain('nope');
      const table = await failure(lake.query('SELECT * FROM bars_2d'));
      expect(table.code).toBe('LAKE_QUERY_FAILED');
      expect(table.message).toContain('bars_2d');
      const runtime = await failure(lake.query(`SELECT CAST('x' AS INTEGER) AS n`));
      expect(runtime.code).toBe('LAKE_QUERY_FAILED');
      // The engine is still usable afterwards.
      expect((await lake.query('SELECT 42 AS n')).rows).toEqual([{ n: 42 }]);
    });
  });

  it.skipIf(backend.skip)('truncates results at maxRows and says so', async () => {
    await withLake(backend, async ({ lake }) => {
      const cut = await lake.query('SELECT i::INTEGER AS i FROM range(25) t(i) ORDER BY i', {
        maxRows: 10,
      });
      expect(cut.rows.map((r) => r['i'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(cut.truncated).toBe(true);
      const exact = await lake.query('SELECT i::INTEGER AS i FROM range(25) t(i)', { maxRows: 25 });
      expect(exact.rows).toHaveLength(25);
      expect(exact.truncated).toBe(false);
      const big = await lake.query('SELECT i FROM range(20000) t(i)');
      expect(big.rows).toHaveLength(10_000);
      expect(big.truncated).toBe(true);
    });
  });

  it.skipIf(backend.skip)(
    'runs concurrent queries one at a time, each on its own snapshot of the heads',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await lake.write('bars_1d', { rows: [bar('AAPL', '2024-01-02')] });
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            lake.query(`SELECT ${i} AS i, count(*)::INTEGER AS n FROM bars_1d`),
          ),
        );
        expect(results.map((r) => r.rows[0])).toEqual(
          Array.from({ length: 8 }, (_, i) => ({ i, n: 1 })),
        );
      });
    },
  );
});
