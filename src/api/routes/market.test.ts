import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { loadConfig, silentLogger } from '../../core/index.js';
import { Lake } from '../../lake/index.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import { createServer } from '../server.js';

/* The market routes through Fastify's inject: success shapes and error codes with their statuses. */

interface ErrorBody {
  error: { code: string; message: string };
}

describe.each(backends)('market HTTP routes on $name', (backend) => {
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
    app = createServer({ config, store, lake, logger: silentLogger(), startedAt: new Date() });
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
    return res.json<T>();
  }

  it.skipIf(backend.skip)(
    'calendars and sessions, with lunch breaks; bad names and ranges are 400',
    async () => {
      const { calendars } = await call<{ calendars: { name: string }[] }>(
        'GET',
        '/api/calendars',
        200,
      );
      expect(calendars.map((c) => c.name)).toEqual(['XNYS', 'XNAS', 'XKRX', 'CRYPTO', 'FX']);
      const krx = await call<{ sessions: unknown[] }>(
        'GET',
        '/api/calendars/xkrx/sessions?from=1995-03-02&to=1995-03-03',
        200,
      );
      // 1995: a lunch break every session.
      expect(krx.sessions).toEqual([
        {
          date: '1995-03-02',
          open: '1995-03-02T00:30:00Z',
          close: '1995-03-02T06:00:00Z',
          breakStart: '1995-03-02T02:30:00Z',
          breakEnd: '1995-03-02T04:00:00Z',
        },
        {
          date: '1995-03-03',
          open: '1995-03-03T00:30:00Z',
          close: '1995-03-03T06:00:00Z',
          breakStart: '1995-03-03T02:30:00Z',
          breakEnd: '1995-03-03T04:00:00Z',
        },
      ]);
      expect(
        (
          await call<ErrorBody>(
            'GET',
            '/api/calendars/XLON/sessions?from=2024-01-01&to=2024-01-02',
            400,
          )
        ).error.code,
      ).toBe('MARKET_UNKNOWN_CALENDAR');
      expect(
        (await call<ErrorBody>('GET', '/api/calendars/XNYS/sessions?from=2024-01-01', 400)).error
          .code,
      ).toBe('USAGE');
      expect(
        (
          await call<ErrorBody>(
            'GET',
            '/api/calendars/XNYS/sessions?from=2024-02-01&to=2024-01-01',
            400,
          )
        ).error.code,
      ).toBe('MARKET_INVALID_DATE_RANGE');
    },
  );

  it.skipIf(backend.skip)(
    'imports a split-adjusted file, reads bars raw and adjusted, lists actions and instruments',
    async () => {
      const file = path.join(dir, 'x-split-adjusted.csv');
      writeFileSync(
        file,
        [
          'date,open,high,low,close,volume,dividend,split',
          '2024-01-02,50,51,49,50,200,0,1',
          '2024-01-03,50,51,49,50,200,0.5,1',
          '2024-01-04,50,51,49,50,200,0,1',
          '2024-01-08,50,51,49,50,100,0,2',
          '2024-01-09,50,51,49,50,100,0,1',
        ].join('\n') + '\n',
      );
      const imported = await call<{
        bars: { rowsWritten: number };
        actions: { rowsWritten: number };
      }>('POST', '/api/bars/import', 201, {
        file,
        symbol: 'X',
        pricesInclude: 'split',
        currency: 'USD',
      });
      expect(imported.bars.rowsWritten).toBe(5);
      expect(imported.actions.rowsWritten).toBe(2);
      const raw = await call<{ rows: { close: number; volume: number }[] }>(
        'GET',
        '/api/bars/X',
        200,
      );
      expect(raw.rows.map((r) => r.close)).toEqual([100, 100, 100, 50, 50]);
      expect(raw.rows.map((r) => r.volume)).toEqual([100, 100, 100, 100, 100]);
      const split = await call<{ rows: { close: number }[]; adjust: string }>(
        'GET',
        '/api/bars/X?adjust=split&from=2024-01-03',
        200,
      );
      expect(split.adjust).toBe('split');
      expect(split.rows.map((r) => r.close)).toEqual([50, 50, 50, 50]);
      const asOf = await call<{ rows: { close: number }[] }>(
        'GET',
        '/api/bars/X?adjust=split&asOf=2024-01-05',
        200,
      );
      expect(asOf.rows.map((r) => r.close)).toEqual([100, 100, 100, 50, 50]);
      const bad = await call<ErrorBody>('GET', '/api/bars/X?adjust=total', 400);
      expect(bad.error).toMatchObject({ code: 'MARKET_INVALID_OPTION' });
      expect(bad.error.message).toContain('raw, split, total_return');
      const { actions } = await call<{
        actions: { type: string; value: number; currency?: string }[];
      }>('GET', '/api/actions/X', 200);
      expect(actions).toEqual([
        expect.objectContaining({
          exDate: '2024-01-03',
          type: 'cash_dividend',
          value: 1,
          currency: 'USD',
        }),
        expect.objectContaining({ exDate: '2024-01-08', type: 'split', value: 2 }),
      ]);
      await call('POST', '/api/datasets/instruments/rows', 201, {
        rows: [
          { symbol: 'X', exchange: 'XNYS', name: 'X Corp', type: 'stock', currency: 'USD' },
          {
            symbol: '005930',
            exchange: 'XKRX',
            name: '삼성전자',
            type: 'stock',
            currency: 'KRW',
            isin: 'KR7005930003',
            local_code: 'A005930',
          },
        ],
      });
      const { instruments } = await call<{ instruments: unknown[] }>(
        'GET',
        '/api/instruments?exchange=XKRX',
        200,
      );
      expect(instruments).toEqual([
        {
          symbol: '005930',
          exchange: 'XKRX',
          name: '삼성전자',
          type: 'stock',
          currency: 'KRW',
          isin: 'KR7005930003',
          localCode: 'A005930',
          symbolChanges: [],
        },
      ]);
      expect(
        (
          await call<ErrorBody>('POST', '/api/bars/import', 400, {
            file,
            pricesInclude: 'all',
            symbol: 'X',
          })
        ).error.code,
      ).toBe('MARKET_INVALID_OPTION');

      // Checks over what was imported: 2024-01-05 is an XNYS session without a bar.
      const summary = await call<{
        runId: string;
        blocked: boolean;
        results: { check: string; failingCount: number }[];
      }>('POST', '/api/checks/run', 201, {
        dataset: 'bars_1d',
        checks: [
          'ohlc_consistency',
          'missing_sessions',
          { name: 'stale_prices', params: { sessions: 3 } },
        ],
      });
      expect(summary.blocked).toBe(false);
      expect(summary.results.map((r) => [r.check, r.failingCount])).toEqual([
        ['ohlc_consistency', 0],
        ['missing_sessions', 1],
        ['stale_prices', 1],
      ]);
      const failed = await call<{ results: { check: string }[] }>(
        'GET',
        '/api/checks?asset=bars_1d&failed=true',
        200,
      );
      expect(failed.results.map((r) => r.check).sort()).toEqual([
        'missing_sessions',
        'stale_prices',
      ]);
      const { failures } = await call<{ failures: { key: string }[] }>(
        'GET',
        '/api/checks/failures?check=missing_sessions',
        200,
      );
      expect(failures.map((f) => f.key)).toEqual(['X|2024-01-05']);
      expect(
        (await call<ErrorBody>('POST', '/api/checks/run', 400, { dataset: 'instruments' })).error
          .code,
      ).toBe('MARKET_NOT_BARS_DATASET');
      expect((await call<ErrorBody>('GET', '/api/checks?failed=maybe', 400)).error.code).toBe(
        'USAGE',
      );
    },
  );
});
