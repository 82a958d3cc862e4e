import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { withLake } from '../../../test/helpers/with-lake.js';
import { fred } from '../providers/fred/fred.js';
import { krx } from '../providers/krx/krx.js';
import { yahoo } from '../providers/yahoo/yahoo.js';
import { startFixtureServer, type FixtureServer } from '../testing/fixture-server.js';
import type { ConnectorListener } from '../http/http-client.js';
import { runConnector } from './run-connector.js';

const providers = fileURLToPath(new URL('../providers/', import.meta.url));
let server: FixtureServer;
const http = { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000, minIntervalMs: 0 };

beforeEach(async () => {
  server = await startFixtureServer([
    { path: '/v8/finance/chart/AAPL', file: `${providers}yahoo/fixtures/chart-aapl-1d.json` },
    { path: '/fred/series/observations', file: `${providers}fred/fixtures/t10y2y.json` },
    {
      path: '/svc/apis/sto/stk_bydd_trd',
      query: { basDd: '20240103' },
      file: `${providers}krx/fixtures/stk_bydd_trd-20240103.json`,
    },
    { path: '/svc/apis/sto/stk_bydd_trd', query: { basDd: '20240104' }, body: { OutBlock_1: [] } },
  ]);
});
afterEach(async () => server.close());

describe.each(backends)('runConnector ($name)', (backend) => {
  it.skipIf(backend.skip)(
    'writes bars, actions and instruments with source set, then fetches only what is missing',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const events: string[] = [];
        const listener: ConnectorListener = {
          onRequest: (e) => events.push(`${e.status} ${e.url}`),
        };
        const now = new Date('2020-09-02T01:00:00Z');
        const first = await runConnector(lake, yahoo, {
          symbols: ['aapl'],
          since: '2020-08-01',
          baseUrl: server.url,
          http,
          listener,
          now: () => now,
        });
        expect(first).toMatchObject({
          source: 'yahoo',
          tasksDone: 1,
          tasksPlanned: 1,
          requests: 1,
          rowsWritten: { bars_1d: 5, corporate_actions: 2, instruments: 1 },
          failures: [],
        });
        const bars = await lake.query(
          'SELECT CAST(date AS VARCHAR) AS d, close, source, CAST(ingested_at AS VARCHAR) AS at FROM bars_1d ORDER BY date',
        );
        expect(bars.rows.map((r) => [r['d'], r['close'], r['source']])).toEqual([
          ['2020-08-26', 506.08, 'yahoo'],
          ['2020-08-27', 500.04, 'yahoo'],
          ['2020-08-28', 499.24, 'yahoo'],
          ['2020-08-31', 129.04, 'yahoo'],
          ['2020-09-01', 134.18, 'yahoo'],
        ]);
        expect(bars.rows[0]!['at']).toBe('2020-09-02 01:00:00');
        const actions = await lake.query(
          'SELECT type, value, source FROM corporate_actions ORDER BY ex_date',
        );
        expect(actions.rows).toEqual([
          { type: 'cash_dividend', value: 0.82, source: 'yahoo' },
          { type: 'split', value: 4, source: 'yahoo' },
        ]);
        // Second run: the lake holds AAPL up to 2020-09-01, so it asks from 2020-09-02 on.
        const second = await runConnector(lake, yahoo, {
          symbols: ['AAPL'],
          baseUrl: server.url,
          http,
          now: () => new Date('2020-09-03T01:00:00Z'),
        });
        expect(second.tasksPlanned).toBe(1);
        expect(Number(server.requests[1]!.query['period1'])).toBe(
          Date.parse('2020-09-01T00:00:00Z') / 1000,
        );
        expect(second.rowsWritten).toEqual({ instruments: 1 });
        // Third run with the same clock and an explicit until already stored: no request at all.
        const third = await runConnector(lake, yahoo, {
          symbols: ['AAPL'],
          until: '2020-09-01',
          baseUrl: server.url,
          http,
        });
        expect(third).toMatchObject({ tasksPlanned: 0, requests: 0, upToDate: ['AAPL'] });
        expect(events).toEqual([
          `200 ${server.url}/v8/finance/chart/AAPL?period1=1596153600&period2=1599008400&interval=1d&events=div%2Csplits&includeAdjustedClose=true`,
        ]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'writes series_1d (created on first use) and resumes after the last observation',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const opts = {
          symbols: ['T10Y2Y'],
          baseUrl: server.url,
          http,
          secrets: { 'fred.api_key': 'test-key-1' },
        };
        const first = await runConnector(lake, fred, {
          ...opts,
          since: '2024-01-01',
          until: '2024-01-05',
        });
        expect(first.rowsWritten).toEqual({ series_1d: 4 });
        const rows = await lake.query(
          'SELECT round(sum(value), 6) AS s, count(*) AS n FROM series_1d',
        );
        expect(rows.rows[0]).toEqual({ s: -1.18, n: '4' });
        await runConnector(lake, fred, { ...opts, until: '2024-01-09' });
        expect(server.requests[1]!.query).toMatchObject({
          observation_start: '2024-01-06',
          observation_end: '2024-01-09',
        });
      });
    },
  );

  it.skipIf(backend.skip)(
    'per-date runs fetch missing XKRX sessions, filter symbols, and write the good tasks when one fails',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const opts = {
          baseUrl: server.url,
          http: { ...http, maxAttempts: 2 },
          secrets: { 'krx.auth_key': 'K-0000001' },
          options: { markets: ['kospi'] },
        };
        // 2024-01-05 has no fixture (404): that task fails, the others are written.
        const err = await runConnector(lake, krx, {
          ...opts,
          symbols: ['005930'],
          since: '2024-01-03',
          until: '2024-01-07',
        }).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'CONNECTOR_RUN_FAILED', retryable: false });
        expect((err as Error).message).toMatch(/1 of 3 tasks failed \(first: 2024-01-05: .*404/);
        // Weekend days are not sessions: no request for 2024-01-06/07.
        expect(server.requests.map((r) => r.query['basDd'])).toEqual([
          '20240103',
          '20240104',
          '20240105',
        ]);
        const bars = await lake.query('SELECT symbol, source FROM bars_1d');
        expect(bars.rows).toEqual([{ symbol: '005930', source: 'krx' }]);
        const partial = await runConnector(lake, krx, {
          ...opts,
          until: '2024-01-05',
          allowPartial: true,
        });
        // The lake holds krx data up to 2024-01-03: the run starts at the next session.
        expect(partial.tasksPlanned).toBe(2);
        expect(partial.failures).toHaveLength(1);
      });
    },
  );
});
