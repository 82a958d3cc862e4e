import { z } from 'zod';
import { expectShape } from '../../http/payload.js';
import { defineConnector } from '../../sdk/define-connector.js';

const observationsSchema = z.looseObject({
  observations: z.array(z.looseObject({ date: z.string(), value: z.string() })),
});

/** A FRED observations document. */
export type FredPayload = z.infer<typeof observationsSchema>;

/** FRED series observations (`/fred/series/observations`) into series_1d; symbol = series id. */
export const fred = defineConnector<FredPayload>({
  name: 'fred',
  title: 'FRED (St. Louis Fed)',
  description:
    'Economic series observations (rates, inflation, FX, spreads) by series id, e.g. DGS10, CPIAUCSL, DEXKOUS.',
  baseUrl: 'https://api.stlouisfed.org',
  homepage: 'https://fred.stlouisfed.org',
  terms:
    'Free API key; use under the FRED API Terms of Use: attribute "Source: FRED, Federal Reserve Bank of St. Louis", respect third-party copyrights noted on a series, no implied endorsement.',
  key: {
    secret: 'fred.api_key',
    required: true,
    howToGet: 'Request a free key at https://fred.stlouisfed.org/docs/api/api_key.html.',
  },
  writes: ['series_1d'],
  stateDataset: 'series_1d',
  unit: 'symbol',
  defaultLookbackDays: 365 * 50,
  rateLimit: {
    minIntervalMs: 500,
    note: '120 requests per minute per key; over it FRED answers 429.',
  },
  storedSymbol: (symbol) => symbol.toUpperCase(),
  async fetch(ctx, task) {
    const params = new URLSearchParams({
      series_id: (task.symbol ?? '').toUpperCase(),
      api_key: ctx.key ?? '',
      file_type: 'json',
      observation_start: task.from,
      observation_end: task.to,
    });
    const { response, data } = await ctx.http.getJson(
      `${ctx.baseUrl}/fred/series/observations?${params.toString()}`,
    );
    return [
      expectShape(ctx.http.source, response.url, observationsSchema, data, 'FRED observations'),
    ];
  },
  map(payload, task) {
    const symbol = (task.symbol ?? '').toUpperCase();
    return {
      series_1d: payload.observations
        // "." marks a missing observation (holidays, discontinued days): not a value.
        .filter((o) => o.value !== '.' && o.value.trim() !== '')
        .map((o) => ({ symbol, date: o.date, value: Number(o.value) })),
    };
  },
});
