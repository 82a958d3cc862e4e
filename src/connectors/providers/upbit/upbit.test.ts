import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testConnector } from '../../testing/test-connector.js';
import { upbitQuota } from './upbit-source.js';
import { upbit } from './upbit.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const routes = [
  {
    path: '/v1/candles/days',
    query: { market: 'KRW-BTC', to: '2024-01-05T00:00:00Z' },
    file: fixture('candles-krw-btc-page1.json'),
    headers: { 'remaining-req': 'group=candles; min=599; sec=9' },
  },
  {
    path: '/v1/candles/days',
    query: { market: 'KRW-BTC', to: '2024-01-03T00:00:00Z' },
    file: fixture('candles-krw-btc-page2.json'),
    headers: { 'remaining-req': 'group=candles; min=598; sec=8' },
  },
];

describe('upbit connector', () => {
  it('pages backwards with `to` (exclusive) and maps KRW candles by UTC day', async () => {
    const res = await testConnector(upbit, {
      routes,
      tasks: [{ symbol: 'krw-btc', from: '2024-01-02', to: '2024-01-04' }],
      run: { options: { count: 2 }, now: () => new Date('2024-01-06T00:00:00Z') },
    });
    expect(res.requests.map((r) => r.query)).toEqual([
      { market: 'KRW-BTC', count: '2', to: '2024-01-05T00:00:00Z' },
      { market: 'KRW-BTC', count: '2', to: '2024-01-03T00:00:00Z' },
    ]);
    expect(res.rows.bars_1d.map((b) => [b['symbol'], b['date'], b['close'], b['volume']])).toEqual([
      ['KRW-BTC', '2024-01-04', 58_490_000, 3691.55009836],
      ['KRW-BTC', '2024-01-03', 57_485_000, 8340.01627745],
      ['KRW-BTC', '2024-01-02', 60_202_000, 5338.41380419],
    ]);
    expect(res.rows.bars_1d[0]).toMatchObject({
      open: 57_485_000,
      high: 58_850_000,
      low: 57_303_000,
      turnover: 214734624712.09558,
    });
  });

  it("leaves out today's forming candle", async () => {
    const res = await testConnector(upbit, {
      routes,
      tasks: [{ symbol: 'KRW-BTC', from: '2024-01-03', to: '2024-01-04' }],
      run: { options: { count: 2 }, now: () => new Date('2024-01-04T05:00:00Z') },
    });
    expect(res.rows.bars_1d.map((b) => b['date'])).toEqual(['2024-01-03']);
  });

  it('pauses for the rest of the second when Remaining-Req says sec=0', () => {
    expect(
      upbitQuota(new Headers({ 'remaining-req': 'group=candles; min=599; sec=0' }))?.waitMs,
    ).toBeGreaterThan(0);
    expect(
      upbitQuota(new Headers({ 'remaining-req': 'group=candles; min=599; sec=3' })),
    ).toBeUndefined();
    expect(upbitQuota(new Headers())).toBeUndefined();
  });
});
