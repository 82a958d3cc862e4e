import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backends } from '../../../../test/helpers/backends.js';
import { withLake } from '../../../../test/helpers/with-lake.js';
import { runConnector } from '../../sdk/run-connector.js';
import { startFixtureServer, type FixtureRoute } from '../../testing/fixture-server.js';
import { testConnector } from '../../testing/test-connector.js';
import { upbitIntraday } from './upbit-intraday.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const route = (to: string, file: string, sec = 9): FixtureRoute => ({
  path: '/v1/candles/minutes/1',
  query: { market: 'KRW-BTC', to },
  file: fixture(file),
  headers: { 'remaining-req': `group=candles; min=599; sec=${sec}` },
});
// As served at 00:05:30 UTC: the newest page holds 00:05 (forming), 00:04 and 00:03.
const routes = [
  route('2024-01-04T00:00:00Z', 'minutes-krw-btc-page1.json'),
  route('2024-01-03T00:03:00Z', 'minutes-krw-btc-page2.json'),
];
const task = { symbol: 'krw-btc', from: '2024-01-03', to: '2024-01-03' };
const at = (iso: string) => () => new Date(iso);
const http = { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000, minIntervalMs: 0 };

describe('upbit-intraday connector', () => {
  it('pages backwards with `to`, maps candles to UTC (not KST) bars_1m rows and drops the forming one', async () => {
    const res = await testConnector(upbitIntraday, {
      routes,
      tasks: [task],
      run: { options: { count: 3 }, now: at('2024-01-03T00:05:30Z') },
    });
    expect(res.failures).toEqual([]);
    expect(res.requests.map((r) => [r.path, r.query])).toEqual([
      ['/v1/candles/minutes/1', { market: 'KRW-BTC', count: '3', to: '2024-01-04T00:00:00Z' }],
      ['/v1/candles/minutes/1', { market: 'KRW-BTC', count: '3', to: '2024-01-03T00:03:00Z' }],
    ]);
    expect(res.rows.bars_1m.map((b) => b['ts'])).toEqual([
      '2024-01-03 00:04:00',
      '2024-01-03 00:03:00',
      '2024-01-03 00:02:00',
      '2024-01-03 00:01:00',
      '2024-01-03 00:00:00',
    ]);
    // candle_date_time_kst of this candle is 2024-01-03T09:00:00.
    expect(res.rows.bars_1m.at(-1)).toEqual({
      symbol: 'KRW-BTC',
      ts: '2024-01-03 00:00:00',
      open: 60_202_000,
      high: 60_250_000,
      low: 60_180_000,
      close: 60_231_000,
      volume: 4.12830651,
      // 248589072.72953 KRW over 4.12830651 BTC.
      vwap: expect.closeTo(60_215_750, 4) as number,
    });
  });

  it('pauses before the next page when Remaining-Req says no request is left this second', async () => {
    const res = await testConnector(upbitIntraday, {
      routes: [route('2024-01-04T00:00:00Z', 'minutes-krw-btc-page1.json', 0), routes[1]!],
      tasks: [task],
      run: { options: { count: 3 }, now: at('2024-01-03T00:05:30Z') },
    });
    expect(res.failures).toEqual([]);
    expect(res.stats).toMatchObject({ requests: 2, rateLimitWaits: 1 });
    expect(res.rows.bars_1m).toHaveLength(5);
  });
});

describe.each(backends)('upbit-intraday runs ($name)', (backend) => {
  it.skipIf(backend.skip)(
    'a second run walks back only to the latest stored bar, adding the minutes closed since',
    async () => {
      const server = await startFixtureServer(routes);
      try {
        await withLake(backend, async ({ lake }) => {
          const opts = { symbols: ['krw-btc'], baseUrl: server.url, http, options: { count: 3 } };
          const first = await runConnector(lake, upbitIntraday, {
            ...opts,
            since: '2024-01-03',
            now: at('2024-01-03T00:05:30Z'),
          });
          expect(first).toMatchObject({ requests: 2, rowsWritten: { bars_1m: 5 }, failures: [] });
          // Three minutes later the newest page has moved on; 00:05 has closed.
          server.route(route('2024-01-04T00:00:00Z', 'minutes-krw-btc-latest.json'));
          server.route(route('2024-01-03T00:06:00Z', 'minutes-krw-btc-page1.json'));
          // No `since`: the plan comes from the lake (latest bar 00:04), not the lookback.
          const second = await runConnector(lake, upbitIntraday, {
            ...opts,
            now: at('2024-01-03T00:08:30Z'),
          });
          expect(second).toMatchObject({
            tasksPlanned: 1,
            requests: 2,
            rowsWritten: { bars_1m: 3 },
            failures: [],
          });
          // The second page reaches 00:04, the latest stored bar: the walk ends there, without
          // the page before 00:03 the first run needed.
          expect(server.requests.slice(2).map((r) => r.query['to'])).toEqual([
            '2024-01-04T00:00:00Z',
            '2024-01-03T00:06:00Z',
          ]);
          const stored = await lake.query(
            'SELECT CAST(ts AS VARCHAR) AS ts, source FROM bars_1m ORDER BY ts',
          );
          expect(stored.rows.map((r) => r['ts'])).toEqual([
            '2024-01-03 00:00:00',
            '2024-01-03 00:01:00',
            '2024-01-03 00:02:00',
            '2024-01-03 00:03:00',
            '2024-01-03 00:04:00',
            '2024-01-03 00:05:00',
            '2024-01-03 00:06:00',
            '2024-01-03 00:07:00',
          ]);
          expect(stored.rows[0]).toMatchObject({ source: 'upbit-intraday' });
          // Latest bar 00:07: the 00:08 candle closes at 00:09, so at 00:08:50 nothing is missing.
          const third = await runConnector(lake, upbitIntraday, {
            ...opts,
            now: at('2024-01-03T00:08:50Z'),
          });
          expect(third).toMatchObject({ tasksPlanned: 0, upToDate: ['krw-btc'], requests: 0 });
          expect(server.requests).toHaveLength(4);
        });
      } finally {
        await server.close();
      }
    },
  );
});
