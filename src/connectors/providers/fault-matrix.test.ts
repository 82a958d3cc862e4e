import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Connector, FetchTask } from '../sdk/define-connector.js';
import type { ConnectorRunOptions } from '../sdk/run-connector.js';
import type { Fault, FixtureRoute } from '../testing/fixture-server.js';
import { testConnector } from '../testing/test-connector.js';
import { builtinConnectors } from './registry.js';
import { binance } from './binance/binance.js';
import { binanceIntraday } from './binance/binance-intraday.js';
import { dataGoKr } from './data-go-kr/data-go-kr.js';
import { ecb } from './ecb/ecb.js';
import { fred } from './fred/fred.js';
import { krx } from './krx/krx.js';
import { stooq } from './stooq/stooq.js';
import { upbit } from './upbit/upbit.js';
import { upbitIntraday } from './upbit/upbit-intraday.js';
import { yahoo, yahooIntraday } from './yahoo/yahoo.js';

/*
 * Every built-in connector against the same faults: an HTML page served with 200 is rejected
 * (not mapped, not retried), and a 429, a 500, a timeout and a cut-off body are retried to success.
 */

const f = (p: string): string => fileURLToPath(new URL(`./${p}`, import.meta.url));

interface Case {
  connector: Connector;
  route: FixtureRoute;
  task: FetchTask;
  run?: Omit<ConnectorRunOptions, 'baseUrl'>;
  dataset: 'bars_1d' | 'bars_1m' | 'series_1d';
  rows: number;
}

const cases: Case[] = [
  {
    connector: yahoo,
    route: { path: '/v8/finance/chart/AAPL', file: f('yahoo/fixtures/chart-aapl-1d.json') },
    task: { symbol: 'AAPL', from: '2020-08-26', to: '2020-09-01' },
    run: { now: () => new Date('2020-09-03T00:00:00Z') },
    dataset: 'bars_1d',
    rows: 5,
  },
  {
    connector: yahooIntraday,
    route: { path: '/v8/finance/chart/AAPL', file: f('yahoo/fixtures/chart-aapl-1m.json') },
    task: { symbol: 'AAPL', from: '2020-09-01', to: '2020-09-01' },
    run: { now: () => new Date('2020-09-01T13:32:30Z') },
    dataset: 'bars_1m',
    rows: 2,
  },
  {
    connector: stooq,
    route: { path: '/q/d/l/', file: f('stooq/fixtures/aapl.us.csv') },
    task: { symbol: 'AAPL.US', from: '2024-01-02', to: '2024-01-05' },
    dataset: 'bars_1d',
    rows: 4,
  },
  {
    connector: fred,
    route: { path: '/fred/series/observations', file: f('fred/fixtures/t10y2y.json') },
    task: { symbol: 'T10Y2Y', from: '2024-01-01', to: '2024-01-05' },
    run: { secrets: { 'fred.api_key': 'key-0001' } },
    dataset: 'series_1d',
    rows: 4,
  },
  {
    connector: ecb,
    route: { path: '/service/data/EXR/D.USD.EUR.SP00.A', file: f('ecb/fixtures/exr-usd.csv') },
    task: { symbol: 'USD', from: '2024-01-02', to: '2024-01-05' },
    dataset: 'series_1d',
    rows: 4,
  },
  {
    connector: binance,
    route: { path: '/api/v3/klines', file: f('binance/fixtures/klines-btcusdt-page1.json') },
    task: { symbol: 'BTCUSDT', from: '2024-01-01', to: '2024-01-02' },
    run: { now: () => new Date('2024-01-05T00:00:00Z') },
    dataset: 'bars_1d',
    rows: 2,
  },
  {
    connector: binanceIntraday,
    route: { path: '/api/v3/klines', file: f('binance/fixtures/klines-1m-btcusdt-page1.json') },
    task: { symbol: 'BTCUSDT', from: '2024-01-03', to: '2024-01-03' },
    run: { now: () => new Date('2024-01-03T00:05:30Z') },
    dataset: 'bars_1m',
    rows: 3,
  },
  {
    connector: upbit,
    route: { path: '/v1/candles/days', file: f('upbit/fixtures/candles-krw-btc-page1.json') },
    task: { symbol: 'KRW-BTC', from: '2024-01-03', to: '2024-01-04' },
    run: { now: () => new Date('2024-01-06T00:00:00Z') },
    dataset: 'bars_1d',
    rows: 2,
  },
  {
    connector: upbitIntraday,
    route: {
      path: '/v1/candles/minutes/1',
      file: f('upbit/fixtures/minutes-krw-btc-page2.json'),
    },
    task: { symbol: 'KRW-BTC', from: '2024-01-03', to: '2024-01-03' },
    run: { now: () => new Date('2024-01-03T00:05:30Z') },
    dataset: 'bars_1m',
    rows: 3,
  },
  {
    connector: krx,
    route: {
      path: '/svc/apis/sto/stk_bydd_trd',
      file: f('krx/fixtures/stk_bydd_trd-20240103.json'),
    },
    task: { from: '2024-01-03', to: '2024-01-03' },
    run: { secrets: { 'krx.auth_key': 'key-0001' }, options: { markets: ['kospi'] } },
    dataset: 'bars_1d',
    rows: 2,
  },
  {
    connector: dataGoKr,
    route: {
      path: '/1160100/service/GetStockSecuritiesInfoService/getStockPriceInfo',
      file: f('data-go-kr/fixtures/price-20240103-page2.json'),
    },
    task: { from: '2024-01-03', to: '2024-01-03' },
    run: { secrets: { 'data-go-kr.service_key': 'key-0001' } },
    dataset: 'bars_1d',
    rows: 1,
  },
];

const retried: { name: string; fault: Fault }[] = [
  {
    name: '429 with Retry-After',
    fault: { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
  },
  { name: '500', fault: { kind: 'status', status: 500 } },
  { name: 'timeout', fault: { kind: 'delay', ms: 1500 } },
  { name: 'cut-off body', fault: { kind: 'truncate', bytes: 40 } },
  { name: 'body ending early', fault: { kind: 'truncate', bytes: 40, declareLength: false } },
];

describe.each(cases)('$connector.name under faults', (c) => {
  const run = (faults: { fault: Fault }[]) =>
    testConnector(c.connector, {
      routes: [c.route],
      tasks: [c.task],
      faults,
      run: { ...c.run, http: { timeoutMs: 300 } },
    });

  it('maps the recorded response', async () => {
    const res = await run([]);
    expect(res.failures).toEqual([]);
    expect(res.rows[c.dataset]).toHaveLength(c.rows);
  });

  it('rejects an HTML page served with 200', async () => {
    const res = await run([{ fault: { kind: 'html' } }]);
    expect(res.failures).toMatchObject([{ code: 'CONNECTOR_BAD_PAYLOAD', retryable: false }]);
    expect(res.failures[0]!.message).toMatch(/HTML page/);
    expect(res.requests).toHaveLength(1);
  });

  it.each(retried)('retries a $name to success', async ({ fault }) => {
    const res = await run([{ fault }]);
    expect(res.failures).toEqual([]);
    expect(res.stats.retries).toBe(1);
    expect(res.rows[c.dataset]).toHaveLength(c.rows);
  });
});

it('covers every built-in connector', () => {
  expect(cases.map((c) => c.connector.name).sort()).toEqual(
    builtinConnectors.map((c) => c.name).sort(),
  );
});
