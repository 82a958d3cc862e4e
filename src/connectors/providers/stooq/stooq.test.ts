import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectorContext, collectRows } from '../../sdk/run-connector.js';
import { startFixtureServer } from '../../testing/fixture-server.js';
import { testConnector } from '../../testing/test-connector.js';
import { stooq } from './stooq.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('stooq connector', () => {
  it('maps the daily CSV and asks for the range in d1/d2', async () => {
    const res = await testConnector(stooq, {
      routes: [{ path: '/q/d/l/', query: { s: 'aapl.us', i: 'd' }, file: fixture('aapl.us.csv') }],
      tasks: [{ symbol: 'AAPL.US', from: '2024-01-02', to: '2024-01-04' }],
    });
    expect(res.requests[0]!.query).toEqual({
      s: 'aapl.us',
      i: 'd',
      d1: '20240102',
      d2: '20240104',
    });
    expect(res.rows.bars_1d).toEqual([
      {
        symbol: 'AAPL.US',
        date: '2024-01-02',
        open: 185.658,
        high: 187.423,
        low: 182.162,
        close: 184.29,
        volume: 82_488_674,
      },
      {
        symbol: 'AAPL.US',
        date: '2024-01-03',
        open: 182.903,
        high: 184.573,
        low: 181.716,
        close: 182.911,
        volume: 58_414_461,
      },
      {
        symbol: 'AAPL.US',
        date: '2024-01-04',
        open: 180.646,
        high: 181.544,
        low: 179.378,
        close: 180.587,
        volume: 71_983_570,
      },
    ]);
  });

  it('undoes the adjustment with the stored corporate actions, and reads indices without volume', async () => {
    const server = await startFixtureServer([
      { path: '/q/d/l/', query: { s: 'aapl.us' }, file: fixture('aapl.us.csv') },
      { path: '/q/d/l/', query: { s: '^spx' }, file: fixture('spx-index.csv') },
    ]);
    try {
      const base = connectorContext(stooq, { baseUrl: server.url, http: { minIntervalMs: 0 } });
      // A 2:1 split on 2024-01-04 (ex-date): Stooq's earlier prices are halved, volume doubled.
      const ctx = {
        ...base,
        corporateActions: () =>
          Promise.resolve([{ exDate: '2024-01-04', kind: 'split' as const, value: 2 }]),
      };
      const out = await collectRows(stooq, ctx, [
        { symbol: 'AAPL.US', from: '2024-01-02', to: '2024-01-05' },
        { symbol: '^SPX', from: '2024-01-02', to: '2024-01-03' },
      ]);
      const aapl = out.rows.bars_1d.filter((b) => b['symbol'] === 'AAPL.US');
      expect(aapl.map((b) => [b['date'], b['close'], b['volume']])).toEqual([
        ['2024-01-02', 368.58, 41_244_337],
        ['2024-01-03', 365.822, 29_207_230.5],
        ['2024-01-04', 180.587, 71_983_570],
        ['2024-01-05', 179.862, 62_379_661],
      ]);
      expect(
        out.rows.bars_1d.filter((b) => b['symbol'] === '^SPX').map((b) => b['volume']),
      ).toEqual([0, 0]);
    } finally {
      await server.close();
    }
  });

  it('treats "No data" as an empty range and the daily cap message as an error', async () => {
    const res = await testConnector(stooq, {
      routes: [
        { path: '/q/d/l/', query: { s: 'zzzz.us' }, body: 'No data' },
        { path: '/q/d/l/', query: { s: 'msft.us' }, body: 'Exceeded the daily hits limit' },
      ],
      tasks: [
        { symbol: 'ZZZZ.US', from: '2024-01-02', to: '2024-01-04' },
        { symbol: 'MSFT.US', from: '2024-01-02', to: '2024-01-04' },
      ],
    });
    expect(res.rows.bars_1d).toEqual([]);
    expect(res.failures).toMatchObject([
      { task: { symbol: 'MSFT.US' }, code: 'CONNECTOR_BAD_PAYLOAD' },
    ]);
    expect(res.failures[0]!.message).toMatch(/daily hits limit.*run again tomorrow/);
  });
});
