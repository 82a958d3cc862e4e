import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testConnector } from '../../testing/test-connector.js';
import { krNumber, krx } from './krx.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const key = { 'krx.auth_key': 'KRX-KEY-0001' };
const routes = [
  {
    path: '/svc/apis/sto/stk_bydd_trd',
    query: { basDd: '20240103' },
    requireHeaders: { AUTH_KEY: 'KRX-KEY-0001' },
    file: fixture('stk_bydd_trd-20240103.json'),
  },
  {
    path: '/svc/apis/sto/ksq_bydd_trd',
    query: { basDd: '20240103' },
    requireHeaders: { AUTH_KEY: 'KRX-KEY-0001' },
    file: fixture('ksq_bydd_trd-20240103.json'),
  },
];

describe('krx connector', () => {
  it('reads comma-formatted numbers', () => {
    expect(krNumber('1,688,358,814,440')).toBe(1_688_358_814_440);
    expect(krNumber('-1,600')).toBe(-1600);
    expect(krNumber('-')).toBeNaN();
  });

  it('fetches KOSPI and KOSDAQ for the date with the AUTH_KEY header and maps bars and instruments', async () => {
    const res = await testConnector(krx, {
      routes,
      tasks: [{ from: '2024-01-03', to: '2024-01-03' }],
      run: { secrets: key },
    });
    expect(res.failures).toEqual([]);
    expect(res.requests.map((r) => [r.path, r.query['basDd'], r.headers['auth_key']])).toEqual([
      ['/svc/apis/sto/stk_bydd_trd', '20240103', 'KRX-KEY-0001'],
      ['/svc/apis/sto/ksq_bydd_trd', '20240103', 'KRX-KEY-0001'],
    ]);
    // 대한전선 did not trade (zero prices): listed, but no bar.
    expect(res.rows.bars_1d).toEqual([
      {
        symbol: '005930',
        date: '2024-01-03',
        open: 78_500,
        high: 78_800,
        low: 77_000,
        close: 77_000,
        volume: 21_753_644,
        turnover: 1_688_358_814_440,
      },
      {
        symbol: '000660',
        date: '2024-01-03',
        open: 140_400,
        high: 140_500,
        low: 137_300,
        close: 138_300,
        volume: 3_937_349,
        turnover: 545_978_005_600,
      },
      {
        symbol: '247540',
        date: '2024-01-03',
        open: 270_500,
        high: 272_000,
        low: 259_500,
        close: 262_500,
        volume: 901_382,
        turnover: 238_204_427_500,
      },
    ]);
    expect(res.rows.instruments.map((i) => [i['symbol'], i['exchange'], i['name']])).toEqual([
      ['005930', 'XKRX', '삼성전자'],
      ['000660', 'XKRX', 'SK하이닉스'],
      ['001440', 'XKRX', '대한전선'],
      ['247540', 'XKOS', '에코프로비엠'],
    ]);
  });

  it('stops after a rejected key instead of calling for every date', async () => {
    const res = await testConnector(krx, {
      routes,
      tasks: [
        { from: '2024-01-03', to: '2024-01-03' },
        { from: '2024-01-04', to: '2024-01-04' },
      ],
      run: { secrets: { 'krx.auth_key': 'WRONG-KEY' } },
    });
    expect(res.requests).toHaveLength(1);
    expect(res.failures).toMatchObject([{ code: 'CONNECTOR_HTTP_ERROR' }]);
    expect(res.failures[0]!.message).toMatch(/401.*Check the API key secret/);
  });

  it('reads a 200 respCode envelope as an authorization failure', async () => {
    const res = await testConnector(krx, {
      routes: [{ path: '/svc/apis/sto/stk_bydd_trd', file: fixture('unauthorized.json') }],
      tasks: [{ from: '2024-01-03', to: '2024-01-03' }],
      run: { secrets: key, options: { markets: ['kospi'] } },
    });
    expect(res.failures[0]!.message).toMatch(/answered 401 "Unauthorized API Call".*krx.auth_key/);
  });
});
