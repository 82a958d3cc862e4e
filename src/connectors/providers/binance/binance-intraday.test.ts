import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backends } from '../../../../test/helpers/backends.js';
import { withLake } from '../../../../test/helpers/with-lake.js';
import { runConnector } from '../../sdk/run-connector.js';
import { startFixtureServer } from '../../testing/fixture-server.js';
import { testConnector } from '../../testing/test-connector.js';
import { binanceIntraday } from './binance-intraday.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const route = (startTime: number, file: string) => ({
  path: '/api/v3/klines',
  query: { interval: '1m', startTime: String(startTime) },
  file: fixture(file),
});
// From 2024-01-03T00:00Z, 00:03Z and 00:06Z: three pages of three one-minute klines.
const routes = [
  route(1704240000000, 'klines-1m-btcusdt-page1.json'),
  route(1704240180000, 'klines-1m-btcusdt-page2.json'),
  route(1704240360000, 'klines-1m-btcusdt-page3.json'),
];
// As served at 00:08:30 from 00:05Z (00:05 to 00:07) and from 00:08Z (00:08, still open).
const resumeRoutes = [
  route(1704240300000, 'klines-1m-btcusdt-from0005.json'),
  route(1704240480000, 'klines-1m-btcusdt-from0008.json'),
];
const task = { symbol: 'btcusdt', from: '2024-01-03', to: '2024-01-03' };
const at = (iso: string) => () => new Date(iso);
const http = { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000, minIntervalMs: 0 };

describe('binance-intraday connector', () => {
  it('pages 1m klines by open time, maps them to UTC bars_1m rows and stops at the open kline', async () => {
    const res = await testConnector(binanceIntraday, {
      routes,
      tasks: [task],
      run: { options: { limit: 3 }, now: at('2024-01-03T00:05:30Z') },
    });
    expect(res.failures).toEqual([]);
    const query = { symbol: 'BTCUSDT', interval: '1m', endTime: '1704326399999', limit: '3' };
    expect(res.requests.map((r) => r.query)).toEqual([
      { ...query, startTime: '1704240000000' },
      { ...query, startTime: '1704240180000' },
    ]);
    // The 00:05 kline closes at 00:05:59.999: still forming, so neither stored nor paged past.
    expect(res.rows.bars_1m.map((b) => b['ts'])).toEqual([
      '2024-01-03 00:00:00',
      '2024-01-03 00:01:00',
      '2024-01-03 00:02:00',
      '2024-01-03 00:03:00',
      '2024-01-03 00:04:00',
    ]);
    expect(res.rows.bars_1m[0]).toEqual({
      symbol: 'BTCUSDT',
      ts: '2024-01-03 00:00:00',
      open: 44946.91,
      high: 44975,
      low: 44920.01,
      close: 44961.2,
      volume: 38.41852,
      // Quote volume 1726942.4404456 USDT over 38.41852 BTC.
      vwap: expect.closeTo(44950.78, 6) as number,
      trades: 1143,
    });
  });

  it('reads X-MBX-USED-WEIGHT-1M like the daily connector', () => {
    expect(binanceIntraday.quota?.(new Headers({ 'x-mbx-used-weight-1m': '5800' }))?.reason).toBe(
      'X-MBX-USED-WEIGHT-1M 5800 of 6000',
    );
    expect(binanceIntraday.quota?.(new Headers({ 'x-mbx-used-weight-1m': '40' }))).toBeUndefined();
  });
});

describe.each(backends)('binance-intraday runs ($name)', (backend) => {
  it.skipIf(backend.skip)(
    'a second run starts one minute after the latest stored bar and fetches only the minutes closed since',
    async () => {
      const server = await startFixtureServer([...routes, ...resumeRoutes]);
      try {
        await withLake(backend, async ({ lake }) => {
          const opts = {
            symbols: ['btcusdt'],
            baseUrl: server.url,
            http,
            options: { limit: 3 },
          };
          const first = await runConnector(lake, binanceIntraday, {
            ...opts,
            since: '2024-01-03',
            now: at('2024-01-03T00:05:30Z'),
          });
          expect(first).toMatchObject({ requests: 2, rowsWritten: { bars_1m: 5 }, failures: [] });
          // No `since`: the plan comes from the lake (latest bar 00:04), not the lookback.
          const second = await runConnector(lake, binanceIntraday, {
            ...opts,
            now: at('2024-01-03T00:08:30Z'),
          });
          expect(second).toMatchObject({
            tasksPlanned: 1,
            requests: 2,
            rowsWritten: { bars_1m: 3 },
            failures: [],
          });
          const query = { symbol: 'BTCUSDT', interval: '1m', endTime: '1704326399999', limit: '3' };
          // 00:05Z, then 00:08Z after a full page: nothing from 00:00 to 00:04 again.
          expect(server.requests.slice(2).map((r) => r.query)).toEqual([
            { ...query, startTime: '1704240300000' },
            { ...query, startTime: '1704240480000' },
          ]);
          const stored = await lake.query(
            'SELECT CAST(ts AS VARCHAR) AS ts, trades, source FROM bars_1m ORDER BY ts',
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
          expect(stored.rows[5]).toMatchObject({ trades: '403', source: 'binance-intraday' });
          // Latest bar 00:07: the 00:08 kline closes at 00:09, so at 00:08:50 nothing is missing.
          const third = await runConnector(lake, binanceIntraday, {
            ...opts,
            now: at('2024-01-03T00:08:50Z'),
          });
          expect(third).toMatchObject({ tasksPlanned: 0, upToDate: ['btcusdt'], requests: 0 });
          expect(server.requests).toHaveLength(4);
        });
      } finally {
        await server.close();
      }
    },
  );
});
