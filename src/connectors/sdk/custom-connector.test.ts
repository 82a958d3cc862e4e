import { describe, expect, it } from 'vitest';
import { withLake } from '../../../test/helpers/with-lake.js';
import { backends } from '../../../test/helpers/backends.js';
import {
  defineConnector,
  expectShape,
  runConnector,
  startFixtureServer,
  testConnector,
  type BarRow,
} from '../index.js';
import { z } from 'zod';

// The example of docs/connectors.md ("Write your own connector"), verbatim apart from imports.
const priceSchema = z.object({
  symbol: z.string(),
  prices: z.array(
    z.object({
      d: z.string(),
      o: z.number(),
      h: z.number(),
      l: z.number(),
      c: z.number(),
      v: z.number(),
    }),
  ),
});
type AcmePage = z.infer<typeof priceSchema>;

const acme = defineConnector<AcmePage>({
  name: 'acme',
  title: 'ACME broker prices',
  description: 'Daily bars from the ACME broker REST API.',
  baseUrl: 'https://api.acme.example',
  terms: 'For ACME customers; personal use only.',
  key: { secret: 'acme.token', required: true, howToGet: 'Create a token in the ACME portal.' },
  writes: ['bars_1d'],
  stateDataset: 'bars_1d',
  unit: 'symbol',
  defaultLookbackDays: 365,
  rateLimit: { minIntervalMs: 250, note: '4 requests per second' },
  async fetch(ctx, task) {
    const url = `${ctx.baseUrl}/v1/prices?symbol=${encodeURIComponent(task.symbol ?? '')}&from=${task.from}&to=${task.to}`;
    const { response, data } = await ctx.http.getJson(url, {
      headers: { Authorization: `Bearer ${ctx.key}` },
    });
    return [expectShape(ctx.http.source, response.url, priceSchema, data, 'an ACME price page')];
  },
  map(page) {
    const bars: BarRow[] = page.prices.map((p) => ({
      symbol: page.symbol,
      date: p.d,
      open: p.o,
      high: p.h,
      low: p.l,
      close: p.c,
      volume: p.v,
    }));
    return { bars_1d: bars };
  },
});

const page = (symbol: string, days: string[]) => ({
  symbol,
  prices: days.map((d, i) => ({ d, o: 10 + i, h: 11 + i, l: 9 + i, c: 10.5 + i, v: 1000 })),
});

describe('a custom connector (the SDK example)', () => {
  it('gets retries and payload checks from the SDK (testConnector)', async () => {
    const res = await testConnector(acme, {
      routes: [
        {
          path: '/v1/prices',
          query: { symbol: 'ACME' },
          requireHeaders: { authorization: 'Bearer t0ken-1' },
          body: page('ACME', ['2024-01-02']),
        },
      ],
      faults: [{ fault: { kind: 'status', status: 503 } }],
      tasks: [{ symbol: 'ACME', from: '2024-01-01', to: '2024-01-05' }],
      run: { secrets: { 'acme.token': 't0ken-1' } },
    });
    expect(res.stats).toMatchObject({ requests: 2, retries: 1 });
    expect(res.rows.bars_1d).toEqual([
      { symbol: 'ACME', date: '2024-01-02', open: 10, high: 11, low: 9, close: 10.5, volume: 1000 },
    ]);
  });

  it.each(backends.filter((b) => !b.skip))(
    'runs incrementally against the lake ($name)',
    async (backend) => {
      const server = await startFixtureServer([
        {
          path: '/v1/prices',
          query: { from: '2023-01-05' },
          body: page('ACME', ['2024-01-02', '2024-01-03']),
        },
        { path: '/v1/prices', query: { from: '2024-01-04' }, body: page('ACME', ['2024-01-04']) },
      ]);
      try {
        await withLake(backend, async ({ lake }) => {
          const opts = {
            symbols: ['ACME'],
            baseUrl: server.url,
            secrets: { 'acme.token': 't' },
            http: { minIntervalMs: 0 },
          };
          const first = await runConnector(lake, acme, { ...opts, until: '2024-01-05' });
          expect(first.rowsWritten).toEqual({ bars_1d: 2 });
          const second = await runConnector(lake, acme, { ...opts, until: '2024-01-05' });
          expect(second.rowsWritten).toEqual({ bars_1d: 1 });
          expect(server.requests.map((r) => r.query['from'])).toEqual(['2023-01-05', '2024-01-04']);
          const rows = await lake.query("SELECT count(*) AS n FROM bars_1d WHERE source = 'acme'");
          expect(rows.rows[0]).toEqual({ n: '3' });
        });
      } finally {
        await server.close();
      }
    },
  );
});
