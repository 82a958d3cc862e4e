import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backends } from '../../../../test/helpers/backends.js';
import { withLake } from '../../../../test/helpers/with-lake.js';
import { runConnector } from '../../sdk/run-connector.js';
import { startFixtureServer } from '../../testing/fixture-server.js';
import { testConnector } from '../../testing/test-connector.js';
import { yahoo, yahooIntraday } from './yahoo.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const daily = {
  path: '/v8/finance/chart/AAPL',
  query: { interval: '1d', events: 'div,splits' },
  file: fixture('chart-aapl-1d.json'),
};
const task = { symbol: 'AAPL', from: '2020-08-01', to: '2020-09-02' };

describe('yahoo connector', () => {
  it('maps the chart to raw daily bars (split undone), splits, dividends and the instrument', async () => {
    const now = new Date('2020-09-02T01:00:00Z');
    const res = await testConnector(yahoo, {
      routes: [daily],
      tasks: [task],
      run: { now: () => now },
    });
    expect(res.failures).toEqual([]);
    const bars = res.rows.bars_1d;
    // The 2020-09-02 row has null prices (no trades yet): not a bar.
    expect(bars.map((b) => b['date'])).toEqual([
      '2020-08-26',
      '2020-08-27',
      '2020-08-28',
      '2020-08-31',
      '2020-09-01',
    ]);
    // Yahoo's prices before the 4:1 split on 2020-08-31 are divided by 4; the lake keeps raw ones.
    expect(bars[2]).toMatchObject({
      symbol: 'AAPL',
      open: 504.04,
      high: 505.76,
      low: 498.32,
      close: 499.24,
      volume: 46_907_500,
    });
    expect(bars[3]).toMatchObject({ open: 127.58, close: 129.04, volume: 225_702_700 });
    expect(res.rows.corporate_actions).toEqual([
      { symbol: 'AAPL', ex_date: '2020-08-31', type: 'split', value: 4 },
      // Yahoo's 0.205 is split-adjusted; Apple paid 0.82 per share.
      {
        symbol: 'AAPL',
        ex_date: '2020-08-07',
        type: 'cash_dividend',
        value: 0.82,
        currency: 'USD',
      },
    ]);
    expect(res.rows.instruments).toEqual([
      { symbol: 'AAPL', exchange: 'XNAS', name: 'Apple Inc.', type: 'stock', currency: 'USD' },
    ]);
    const q = res.requests[0]!.query;
    expect(q).toMatchObject({
      interval: '1d',
      events: 'div,splits',
      period2: String(now.getTime() / 1000),
    });
    expect(Number(q['period1'])).toBe(Date.parse('2020-07-31T00:00:00Z') / 1000);
    expect(res.requests[0]!.headers['user-agent']).toMatch(/Mozilla/);
  });

  it("drops today's bar while the session is still open", async () => {
    const res = await testConnector(yahoo, {
      routes: [daily],
      tasks: [task],
      run: { now: () => new Date('2020-09-01T18:00:00Z') },
    });
    expect(res.rows.bars_1d.map((b) => b['date']).at(-1)).toBe('2020-08-31');
  });

  it('reports an unknown symbol (404 with an error envelope) as a failed task', async () => {
    const res = await testConnector(yahoo, {
      routes: [
        { path: '/v8/finance/chart/NOPE', status: 404, file: fixture('chart-not-found.json') },
      ],
      tasks: [{ symbol: 'NOPE', from: '2020-08-01', to: '2020-09-01' }],
    });
    expect(res.failures).toMatchObject([{ code: 'CONNECTOR_HTTP_ERROR', retryable: false }]);
    expect(res.failures[0]!.message).toMatch(/404.*No data found/);
  });

  it('maps one-minute bars to UTC timestamps and leaves out the minute still forming', async () => {
    const res = await testConnector(yahooIntraday, {
      routes: [
        {
          path: '/v8/finance/chart/AAPL',
          query: { interval: '1m' },
          file: fixture('chart-aapl-1m.json'),
        },
      ],
      tasks: [{ symbol: 'AAPL', from: '2020-09-01', to: '2020-09-01' }],
      run: { now: () => new Date('2020-09-01T13:32:30Z') },
    });
    expect(res.rows.bars_1m).toEqual([
      {
        symbol: 'AAPL',
        ts: '2020-09-01 13:30:00',
        open: 132.76,
        high: 133.2,
        low: 132.5,
        close: 133.1,
        volume: 2_510_340,
      },
      {
        symbol: 'AAPL',
        ts: '2020-09-01 13:31:00',
        open: 133.1,
        high: 133.4,
        low: 132.9,
        close: 133.05,
        volume: 1_203_400,
      },
    ]);
  });
});

describe.each(backends)('yahoo-intraday runs ($name)', (backend) => {
  it.skipIf(backend.skip)(
    'a second run asks from the latest stored bar and stores only the minutes closed since',
    async () => {
      // Served only for these period1 values: any other start gets a 404 and fails the run.
      const chart = (period1: string) => ({
        path: '/v8/finance/chart/AAPL',
        query: { interval: '1m', period1 },
        file: fixture('chart-aapl-1m.json'),
      });
      // 2020-08-31T00:00Z (a day of slack before `since`) and 2020-09-01T13:30Z.
      const server = await startFixtureServer([chart('1598832000'), chart('1598967000')]);
      const http = { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000, minIntervalMs: 0 };
      try {
        await withLake(backend, async ({ lake }) => {
          const opts = { symbols: ['aapl'], baseUrl: server.url, http };
          const first = await runConnector(lake, yahooIntraday, {
            ...opts,
            since: '2020-09-01',
            now: () => new Date('2020-09-01T13:31:30Z'),
          });
          expect(first).toMatchObject({ requests: 1, rowsWritten: { bars_1m: 1 }, failures: [] });
          // No `since`: the plan comes from the lake (latest bar 13:30Z), not the lookback.
          const second = await runConnector(lake, yahooIntraday, {
            ...opts,
            now: () => new Date('2020-09-01T13:33:30Z'),
          });
          expect(second).toMatchObject({
            tasksPlanned: 1,
            requests: 1,
            rowsWritten: { bars_1m: 2 },
            failures: [],
          });
          expect(server.requests.map((r) => [r.query['period1'], r.query['period2']])).toEqual([
            ['1598832000', '1598967090'],
            ['1598967000', '1598967210'],
          ]);
          const stored = await lake.query(
            'SELECT CAST(ts AS VARCHAR) AS ts, volume, source FROM bars_1m ORDER BY ts',
          );
          expect(stored.rows.map((r) => [r['ts'], Number(r['volume'])])).toEqual([
            ['2020-09-01 13:30:00', 2_510_340],
            ['2020-09-01 13:31:00', 1_203_400],
            ['2020-09-01 13:32:00', 998_210],
          ]);
          expect(stored.rows[0]).toMatchObject({ source: 'yahoo-intraday' });
        });
      } finally {
        await server.close();
      }
    },
  );
});
