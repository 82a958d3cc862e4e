import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../test/helpers/temp-dir.js';
import { loadConfig, silentLogger, version } from '../core/index.js';
import { Lake } from '../lake/index.js';
import { openMetaStore, type MetaStore } from '../meta/index.js';
import { createServer } from './server.js';

/*
 * The HTTP API through Fastify's `inject` (no socket): every route's success shape and the error
 * body `{ error: { code, message, details } }` with the status docs/errors.md gives each code.
 * One platform per backend; each test uses its own dataset so the tests do not depend on order.
 */

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

const signalsSpec = {
  name: 'signals',
  description: 'Test signals',
  columns: [
    { name: 'symbol', type: 'VARCHAR', nullable: false },
    { name: 'date', type: 'DATE', nullable: false },
    { name: 'score', type: 'DOUBLE' },
  ],
  primaryKey: ['symbol', 'date'],
  partitioning: { kind: 'none' },
};

describe.each(backends)('HTTP API on $name', (backend) => {
  let dir: string;
  let url: string;
  let store: MetaStore;
  let lake: Lake;
  let app: FastifyInstance;

  beforeAll(async () => {
    if (backend.skip) return;
    dir = makeTempDir();
    url = backend.url(dir);
    const { config } = await loadConfig({ project: dir, env: {}, flags: { databaseUrl: url } });
    store = await openMetaStore(config.databaseUrl);
    lake = await Lake.open({
      store,
      root: config.lakePath,
      tempDir: path.join(config.home, 'tmp'),
      threads: 2,
    });
    app = createServer({
      config,
      store,
      lake,
      logger: silentLogger(),
      startedAt: new Date(Date.now() - 3_000),
    });
    await app.ready();
  });

  afterAll(async () => {
    if (backend.skip) return;
    await app?.close();
    lake?.close();
    await store?.close();
    await backend.cleanup(url);
    removeDir(dir);
  });

  /** Sends a request and expects `status`; returns the parsed JSON body. */
  async function call<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    route: string,
    status: number,
    payload?: unknown,
  ): Promise<T> {
    const res = await app.inject({
      method,
      url: route,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    expect(res.statusCode, `${method} ${route}: ${res.body}`).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    return res.json<T>();
  }

  /** Sends a request that must fail with `status` and `code`; returns the error. */
  async function fails(
    method: 'GET' | 'POST',
    route: string,
    status: number,
    code: string,
    payload?: unknown,
  ): Promise<ErrorBody['error']> {
    const body = await call<ErrorBody>(method, route, status, payload);
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(typeof body.error.details).toBe('object');
    return body.error;
  }

  it.skipIf(backend.skip)(
    'GET /api/health reports version, mode, uptime, metadata backend and lake path',
    async () => {
      const body = await call<Record<string, unknown>>('GET', '/api/health', 200);
      expect(body).toMatchObject({
        status: 'ok',
        version,
        mode: backend.name === 'sqlite' ? 'embedded' : 'cluster',
        metadata: { backend: backend.name },
        lake: { path: lake.root },
        project: dir,
      });
      expect(body['version']).toMatch(/^\d+\.\d+\.\d+/);
      expect(body['uptimeSeconds']).toBeTypeOf('number');
      expect(body['uptimeSeconds']).toBeGreaterThanOrEqual(2);
      expect(Date.parse(String(body['startedAt']))).not.toBeNaN();
      expect(JSON.stringify(body)).not.toMatch(/:[^/@:]+@/); // no password in the metadata URL
    },
  );

  it.skipIf(backend.skip)('lists the built-in datasets and describes one', async () => {
    const { datasets } = await call<{
      datasets: { name: string; builtin: boolean; version: number; rows: number }[];
    }>('GET', '/api/datasets', 200);
    const names = datasets.map((d) => d.name);
    expect(names).toEqual(
      expect.arrayContaining(['bars_1d', 'bars_1m', 'instruments', 'corporate_actions']),
    );
    expect(datasets.find((d) => d.name === 'bars_1m')).toMatchObject({
      builtin: true,
      version: 0,
      rows: 0,
    });

    const bars = await call<Record<string, unknown>>('GET', '/api/datasets/bars_1d', 200);
    expect(bars).toMatchObject({
      name: 'bars_1d',
      builtin: true,
      primaryKey: ['symbol', 'date'],
      partitioning: { kind: 'year', column: 'date' },
    });
    const columns = (bars['columns'] as { name: string; type: string }[]).map(
      (c) => `${c.name}:${c.type}`,
    );
    expect(columns).toEqual(
      expect.arrayContaining([
        'symbol:VARCHAR',
        'date:DATE',
        'open:DOUBLE',
        'high:DOUBLE',
        'low:DOUBLE',
        'close:DOUBLE',
        'volume:DOUBLE',
      ]),
    );
  });

  it.skipIf(backend.skip)('answers 404 with a code for an unknown dataset or route', async () => {
    const err = await fails('GET', '/api/datasets/no_such_set', 404, 'LAKE_DATASET_NOT_FOUND');
    expect(err.message).toContain('no_such_set');
    await fails('GET', '/api/datasets/no_such_set/history', 404, 'LAKE_DATASET_NOT_FOUND');
    await fails('GET', '/api/datasets/no_such_set/rows', 404, 'LAKE_DATASET_NOT_FOUND');
    await fails('POST', '/api/datasets/no_such_set/rows', 404, 'LAKE_DATASET_NOT_FOUND', {
      rows: [{ a: 1 }],
    });
    await fails('GET', '/api/nothing-here', 404, 'NOT_FOUND');
  });

  it.skipIf(backend.skip)('answers malformed JSON and unknown body fields with 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/query',
      headers: { 'content-type': 'application/json' },
      payload: '{"sql": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorBody>().error.code).toBe('BAD_REQUEST');
    const err = await fails('POST', '/api/query', 400, 'USAGE', { sql: 'SELECT 1', maxrows: 5 });
    expect(err.message).toContain('"maxrows"');
    expect(err.message).toContain('maxRows');
  });

  it.skipIf(backend.skip)(
    'creates a user dataset, writes rows and reads them back with filters and time travel',
    async () => {
      const created = await call<Record<string, unknown>>(
        'POST',
        '/api/datasets',
        201,
        signalsSpec,
      );
      expect(created).toMatchObject({
        name: 'signals',
        builtin: false,
        headVersion: 0,
        primaryKey: ['symbol', 'date'],
      });
      // The same definition again is accepted; another definition under the name is a conflict.
      await call('POST', '/api/datasets', 201, signalsSpec);
      await fails('POST', '/api/datasets', 409, 'LAKE_DATASET_EXISTS', {
        ...signalsSpec,
        columns: signalsSpec.columns.slice(0, 2),
      });

      const v1 = await call<Record<string, unknown>>('POST', '/api/datasets/signals/rows', 201, {
        rows: [
          { symbol: 'AAA', date: '2024-01-02', score: 1.5 },
          { symbol: 'AAA', date: '2024-01-03', score: 2.5 },
          { symbol: 'BBB', date: '2024-01-02', score: -1 },
        ],
      });
      expect(v1).toMatchObject({ dataset: 'signals', version: 1, rowsWritten: 3 });
      // Append upserts on the primary key: AAA 2024-01-03 changes, CCC is new.
      const v2 = await call<Record<string, unknown>>('POST', '/api/datasets/signals/rows', 201, {
        rows: [
          { symbol: 'AAA', date: '2024-01-03', score: 9 },
          { symbol: 'CCC', date: '2024-01-04', score: null },
        ],
      });
      expect(v2).toMatchObject({ dataset: 'signals', version: 2, rowsWritten: 2 });

      const head = await call<{ version: number; rows: Record<string, unknown>[] }>(
        'GET',
        '/api/datasets/signals/rows',
        200,
      );
      expect(head.version).toBe(2);
      expect(head.rows).toEqual([
        { symbol: 'AAA', date: '2024-01-02', score: 1.5 },
        { symbol: 'AAA', date: '2024-01-03', score: 9 },
        { symbol: 'BBB', date: '2024-01-02', score: -1 },
        { symbol: 'CCC', date: '2024-01-04', score: null },
      ]);

      const aaa = await call<{ rows: Record<string, unknown>[] }>(
        'GET',
        '/api/datasets/signals/rows?symbol=AAA&columns=date,score',
        200,
      );
      expect(aaa.rows).toEqual([
        { date: '2024-01-02', score: 1.5 },
        { date: '2024-01-03', score: 9 },
      ]);
      const range = await call<{ rows: Record<string, unknown>[] }>(
        'GET',
        '/api/datasets/signals/rows?date.from=2024-01-03&date.to=2024-01-04',
        200,
      );
      expect(range.rows.map((r) => r['symbol'])).toEqual(['AAA', 'CCC']);
      const limited = await call<{ rows: unknown[] }>(
        'GET',
        '/api/datasets/signals/rows?limit=1',
        200,
      );
      expect(limited.rows).toHaveLength(1);

      const old = await call<{ version: number; rows: Record<string, unknown>[] }>(
        'GET',
        '/api/datasets/signals/rows?version=1&symbol=AAA',
        200,
      );
      expect(old.version).toBe(1);
      expect(old.rows.map((r) => r['score'])).toEqual([1.5, 2.5]);

      const { versions } = await call<{ versions: { version: number; rowsAdded: number }[] }>(
        'GET',
        '/api/datasets/signals/history',
        200,
      );
      expect(versions.map((v) => v.version)).toEqual([2, 1]);
      const described = await call<{
        headVersion: number;
        head: { version: number; rows: number };
      }>('GET', '/api/datasets/signals', 200);
      expect(described.headVersion).toBe(2);
      expect(described.head).toMatchObject({ version: 2, rows: 4 });

      const { files } = await call<{ files: { path: string; rows: number }[] }>(
        'GET',
        '/api/datasets/signals/files?version=1',
        200,
      );
      expect(files.length).toBeGreaterThan(0);
      expect(files.reduce((s, f) => s + f.rows, 0)).toBe(3);

      await fails('GET', '/api/datasets/signals/rows?version=99', 404, 'LAKE_VERSION_NOT_FOUND');
      await fails('GET', '/api/datasets/signals/rows?version=abc', 400, 'USAGE');
      await fails('GET', '/api/datasets/signals/rows?nosuchcolumn=1', 400, 'LAKE_SCHEMA_INVALID');
    },
  );

  it.skipIf(backend.skip)(
    'rejects an invalid dataset definition or a missing body with 400',
    async () => {
      await fails('POST', '/api/datasets', 400, 'LAKE_SCHEMA_INVALID', {
        ...signalsSpec,
        name: 'bad name!',
      });
      await fails('POST', '/api/datasets', 400, 'LAKE_SCHEMA_INVALID', {
        ...signalsSpec,
        name: 'typed',
        columns: [{ name: 'x', type: 'BLOB' }],
        primaryKey: [],
      });
      await fails('POST', '/api/datasets', 400, 'USAGE');
    },
  );

  it.skipIf(backend.skip)(
    'answers 422 for rows that break the schema, naming them, and writes nothing',
    async () => {
      const before = await call<{ headVersion: number }>('GET', '/api/datasets/bars_1m', 200);
      const err = await fails('POST', '/api/datasets/bars_1m/rows', 422, 'LAKE_BAD_DATA', {
        rows: [
          {
            symbol: 'AAA',
            ts: '2024-01-02 09:30:00',
            open: 10,
            high: 11,
            low: 9,
            close: 10.5,
            volume: 100,
          },
          {
            symbol: 'AAA',
            ts: '2024-01-02 09:31:00',
            open: 10,
            high: 8,
            low: 9,
            close: 10.5,
            volume: 100,
          },
          {
            symbol: 'AAA',
            ts: '2024-01-02 09:32:00',
            open: null,
            high: 11,
            low: 9,
            close: 10.5,
            volume: 100,
          },
        ],
      });
      expect(err.message).toContain('high < low');
      expect(JSON.stringify(err.details)).toContain('high < low');
      const dup = await fails('POST', '/api/datasets/bars_1m/rows', 422, 'LAKE_DUPLICATE_KEYS', {
        rows: [
          {
            symbol: 'AAA',
            ts: '2024-01-02 09:30:00',
            open: 10,
            high: 11,
            low: 9,
            close: 10.5,
            volume: 100,
          },
          {
            symbol: 'AAA',
            ts: '2024-01-02 09:30:00',
            open: 10,
            high: 11,
            low: 9,
            close: 10.5,
            volume: 100,
          },
        ],
      });
      expect(dup.message).toContain('AAA');
      await fails('POST', '/api/datasets/bars_1m/rows', 400, 'USAGE', { rows: 'not an array' });
      const after = await call<{ headVersion: number }>('GET', '/api/datasets/bars_1m', 200);
      expect(after.headVersion).toBe(before.headVersion);
    },
  );

  it.skipIf(backend.skip)(
    'runs read-only SQL and refuses SQL that writes or reads outside the lake',
    async () => {
      await call('POST', '/api/datasets', 201, { ...signalsSpec, name: 'q_signals' });
      await call('POST', '/api/datasets/q_signals/rows', 201, {
        rows: [
          { symbol: 'AAA', date: '2024-01-02', score: 1 },
          { symbol: 'BBB', date: '2024-01-02', score: 3 },
        ],
      });
      const ok = await call<{
        columns: { name: string }[];
        rows: Record<string, unknown>[];
        truncated: boolean;
        versions: Record<string, number>;
      }>('POST', '/api/query', 200, {
        sql: 'SELECT count(*) AS n, sum(score) AS total FROM q_signals',
      });
      expect(ok.columns.map((c) => c.name)).toEqual(['n', 'total']);
      expect(ok.rows).toEqual([{ n: '2', total: 4 }]);
      expect(ok.truncated).toBe(false);
      expect(ok.versions['q_signals']).toBe(1);

      const capped = await call<{ rows: unknown[]; truncated: boolean }>(
        'POST',
        '/api/query',
        200,
        { sql: 'SELECT * FROM range(10)', maxRows: 3 },
      );
      expect(capped.rows).toHaveLength(3);
      expect(capped.truncated).toBe(true);

      const outside = path.join(dir, 'secret.csv');
      writeFileSync(outside, 'a,b\n1,2\n');
      for (const sql of [
        `SELECT * FROM read_csv('${outside}')`,
        `COPY (SELECT 1) TO '${path.join(dir, 'out.csv')}'`,
        `ATTACH '${path.join(dir, 'x.duckdb')}' AS x`,
        'CREATE TABLE t AS SELECT 1',
        'SELECT 1; SELECT 2',
      ]) {
        await fails('POST', '/api/query', 403, 'LAKE_QUERY_FORBIDDEN', { sql });
      }
      await fails('POST', '/api/query', 400, 'LAKE_QUERY_FAILED', {
        sql: 'SELECT nope FROM q_signals',
      });
      await fails('POST', '/api/query', 400, 'USAGE', { sql: '' });
      await fails('POST', '/api/query', 400, 'USAGE', { sql: 'SELECT 1', maxRows: -1 });
    },
  );

  it.skipIf(backend.skip)(
    'imports a CSV on the server and lists the quarantined lines',
    async () => {
      const csv = path.join(dir, 'prices.csv');
      writeFileSync(
        csv,
        [
          'symbol,date,open,high,low,close,volume',
          'IMP,2023-03-01,10,11,9,10.5,1000',
          'IMP,2023-03-02,,11,9,10.5,1000',
          'IMP,2023-03-03,10,11,9,10.5,-5',
          'IMP,2023-03-06,10,8,9,10.5,1000',
          'IMP,2023-03-07,10,12,9.5,11,2000',
          'IMP,2023-03-08,10,12,9.5,11,2000,extra',
          '',
        ].join('\n'),
      );
      const result = await call<Record<string, unknown>>(
        'POST',
        '/api/datasets/bars_1d/import',
        201,
        { files: [csv] },
      );
      expect(result).toMatchObject({
        dataset: 'bars_1d',
        rowsImported: 2,
        rowsQuarantined: 4,
        sources: [csv],
      });
      expect(result['version']).toBeGreaterThanOrEqual(1);
      expect(result['importId']).toMatch(/^imp_/);

      const { rows } = await call<{
        rows: { line: number; reason: string; raw: string; sourceFile: string; importId: string }[];
      }>('GET', `/api/quarantine?dataset=bars_1d&import=${String(result['importId'])}`, 200);
      expect(rows.map((r) => r.line)).toEqual([3, 4, 5, 7]);
      expect(rows.slice(0, 3).map((r) => r.reason)).toEqual([
        'open is blank',
        'volume is negative',
        'high < low',
      ]);
      expect(rows[3]?.reason).toMatch(/^unparseable line/);
      expect(rows[0]).toMatchObject({ sourceFile: csv, raw: 'IMP,2023-03-02,,11,9,10.5,1000' });
      const page = await call<{ rows: { id: number }[] }>(
        'GET',
        '/api/quarantine?dataset=bars_1d&limit=1',
        200,
      );
      expect(page.rows).toHaveLength(1);
      await fails('GET', '/api/quarantine?limit=abc', 400, 'USAGE');

      const imported = await call<{ rows: Record<string, unknown>[] }>(
        'GET',
        '/api/datasets/bars_1d/rows?symbol=IMP&columns=date,close',
        200,
      );
      expect(imported.rows).toEqual([
        { date: '2023-03-01', close: 10.5 },
        { date: '2023-03-07', close: 11 },
      ]);

      await fails('POST', '/api/datasets/bars_1d/import', 422, 'LAKE_IMPORT_REJECTED', {
        files: [csv],
        maxBadRows: 0,
      });
      const missing = await fails('POST', '/api/datasets/bars_1d/import', 400, 'LAKE_IMPORT_FILE', {
        files: [path.join(dir, 'missing.csv')],
      });
      expect(missing.message).toContain('missing.csv');
      await fails('POST', '/api/datasets/bars_1d/import', 400, 'USAGE', { files: [] });
      await fails('POST', '/api/datasets/bars_1d/import', 400, 'USAGE', {
        files: [csv],
        onProgress: 'x',
      });
      await fails('POST', '/api/datasets/bars_1d/import', 400, 'USAGE', {
        files: [csv],
        maxBadRows: 'many',
      });
    },
  );

  it.skipIf(backend.skip)('compacts and vacuums the lake', async () => {
    // Without a primary key an append adds a file instead of rewriting the partition.
    await call('POST', '/api/datasets', 201, { ...signalsSpec, name: 'c_signals', primaryKey: [] });
    for (const [i, day] of ['2024-02-01', '2024-02-02', '2024-02-05'].entries()) {
      await call('POST', '/api/datasets/c_signals/rows', 201, {
        rows: [{ symbol: 'AAA', date: day, score: i }],
      });
    }
    const { results } = await call<{
      results: { dataset: string; version: number; filesBefore: number; filesAfter: number }[];
    }>('POST', '/api/lake/compact', 200, { dataset: 'c_signals' });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      dataset: 'c_signals',
      version: 4,
      filesBefore: 3,
      filesAfter: 1,
    });
    const after = await call<{ rows: unknown[] }>('GET', '/api/datasets/c_signals/rows', 200);
    expect(after.rows).toHaveLength(3);

    const vacuum = await call<{
      results: Record<string, { versionsRemoved: number; filesRemoved: number }>;
    }>('POST', '/api/lake/vacuum', 200, {
      dataset: 'c_signals',
      retentionDays: 0,
    });
    expect(Object.keys(vacuum.results)).toEqual(['c_signals']);
    expect(vacuum.results['c_signals']!.versionsRemoved).toBe(3);
    expect(vacuum.results['c_signals']!.filesRemoved).toBe(3);
    const { versions } = await call<{ versions: { version: number }[] }>(
      'GET',
      '/api/datasets/c_signals/history',
      200,
    );
    expect(versions.map((v) => v.version)).toEqual([4]);
    const all = await call<{ results: Record<string, unknown> }>('POST', '/api/lake/vacuum', 200);
    expect(Object.keys(all.results)).toEqual(expect.arrayContaining(['bars_1d', 'c_signals']));
    await fails('POST', '/api/lake/vacuum', 400, 'USAGE', { retentionDays: 'x' });
    await fails('POST', '/api/lake/compact', 404, 'LAKE_DATASET_NOT_FOUND', { dataset: 'nope' });
  });
});
