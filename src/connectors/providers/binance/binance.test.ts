import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testConnector } from '../../testing/test-connector.js';
import { binance } from './binance.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const routes = [
  {
    path: '/api/v3/klines',
    query: { startTime: '1704067200000' },
    file: fixture('klines-btcusdt-page1.json'),
  },
  {
    path: '/api/v3/klines',
    query: { startTime: '1704240000000' },
    file: fixture('klines-btcusdt-page2.json'),
  },
];
const task = { symbol: 'btcusdt', from: '2024-01-01', to: '2024-01-03' };

describe('binance connector', () => {
  it('pages through klines (startTime advances past the last open) and maps UTC days', async () => {
    const res = await testConnector(binance, {
      routes,
      tasks: [task],
      run: { options: { limit: 2 }, now: () => new Date('2024-01-05T00:00:00Z') },
    });
    expect(res.requests.map((r) => r.query)).toEqual([
      {
        symbol: 'BTCUSDT',
        interval: '1d',
        startTime: '1704067200000',
        endTime: '1704326399999',
        limit: '2',
      },
      {
        symbol: 'BTCUSDT',
        interval: '1d',
        startTime: '1704240000000',
        endTime: '1704326399999',
        limit: '2',
      },
    ]);
    expect(res.rows.bars_1d.map((b) => [b['date'], b['close'], b['turnover']])).toEqual([
      ['2024-01-01', 44179.55, 1169995682.2259223],
      ['2024-01-02', 44946.91, 2944376322.5476686],
      ['2024-01-03', 42845.23, 3532276009.6939667],
    ]);
    expect(res.rows.bars_1d[0]).toMatchObject({
      symbol: 'BTCUSDT',
      open: 42283.58,
      high: 44184.1,
      low: 42180.77,
      volume: 27174.29903,
    });
  });

  it('does not store a kline that is still open', async () => {
    const res = await testConnector(binance, {
      routes,
      tasks: [task],
      run: { options: { limit: 2 }, now: () => new Date('2024-01-03T12:00:00Z') },
    });
    expect(res.rows.bars_1d.map((b) => b['date'])).toEqual(['2024-01-01', '2024-01-02']);
  });

  it('waits out a 429 with Retry-After and reports it', async () => {
    const res = await testConnector(binance, {
      routes,
      tasks: [task],
      faults: [
        {
          fault: {
            kind: 'status',
            status: 429,
            headers: { 'retry-after': '0' },
            body: '{"code":-1003,"msg":"Too many requests"}',
          },
        },
      ],
      run: { options: { limit: 2 }, now: () => new Date('2024-01-05T00:00:00Z') },
    });
    expect(res.failures).toEqual([]);
    expect(res.stats).toMatchObject({ requests: 3, retries: 1, rateLimitWaits: 1 });
    expect(res.rows.bars_1d).toHaveLength(3);
  });

  it('reads X-MBX-USED-WEIGHT-1M near the limit as a pause until the next minute', () => {
    const near = binance.quota?.(new Headers({ 'x-mbx-used-weight-1m': '5800' }));
    expect(near?.waitMs).toBeGreaterThan(0);
    expect(near?.waitMs).toBeLessThanOrEqual(60_000);
    expect(binance.quota?.(new Headers({ 'x-mbx-used-weight-1m': '40' }))).toBeUndefined();
  });
});
