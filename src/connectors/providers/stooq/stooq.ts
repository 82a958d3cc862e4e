import { ConnectorBadPayloadError } from '../../errors.js';
import { parseCsvBody } from '../../http/payload.js';
import { defineConnector } from '../../sdk/define-connector.js';
import { compactDate } from '../../sdk/dates.js';
import type { BarRow } from '../../sdk/rows.js';
import { unadjustBars, type AdjustmentEvent } from '../../sdk/unadjust.js';

/** One Stooq download: its CSV records and the splits/dividends to undo. */
export interface StooqPayload {
  records: Record<string, string>[];
  actions: AdjustmentEvent[];
}

const num = (v: string | undefined): number =>
  v === undefined || v === '' ? Number.NaN : Number(v);

/**
 * Stooq daily CSV (`/q/d/l/?s=aapl.us&i=d`). Stooq's history is adjusted for splits and
 * dividends as of the download; the connector undoes that with the corporate actions the lake
 * holds for the symbol (load them first, e.g. from Yahoo), so bars_1d stays raw.
 */
export const stooq = defineConnector<StooqPayload>({
  name: 'stooq',
  title: 'Stooq (daily CSV)',
  description:
    'Daily OHLCV bars for stocks, indices, FX and futures as Stooq CSV downloads (symbols like aapl.us, ^spx, eurusd).',
  baseUrl: 'https://stooq.com',
  homepage: 'https://stooq.com',
  terms:
    'Stooq data is free for private, non-commercial use; commercial use and redistribution need permission from Stooq. Downloads are capped per day per IP.',
  writes: ['bars_1d'],
  stateDataset: 'bars_1d',
  unit: 'symbol',
  defaultLookbackDays: 365 * 30,
  rateLimit: {
    minIntervalMs: 1000,
    note: 'A daily download cap per IP (the body then reads "Exceeded the daily hits limit"); 1 request/s.',
  },
  storedSymbol: (symbol) => symbol.toUpperCase(),
  async fetch(ctx, task) {
    const symbol = (task.symbol ?? '').toLowerCase();
    const params = new URLSearchParams({
      s: symbol,
      i: 'd',
      d1: compactDate(task.from),
      d2: compactDate(task.to),
    });
    const url = `${ctx.baseUrl}/q/d/l/?${params.toString()}`;
    const records = await ctx.http.request(url, {}, (response) => {
      const body = response.body.trim();
      // Stooq answers 200 with a one-line message instead of CSV in these cases.
      if (body === 'No data') return [];
      if (/exceeded the daily hits limit/i.test(body))
        throw new ConnectorBadPayloadError(
          `stooq: ${response.url} refused: "${body}". Stooq caps downloads per day; run again tomorrow or fetch fewer symbols.`,
          { details: { source: 'stooq', url: response.url } },
        );
      return parseCsvBody('stooq', response.url, response.body, {
        required: ['Date', 'Open', 'High', 'Low', 'Close'],
      });
    });
    return [{ records, actions: await ctx.corporateActions(symbol.toUpperCase()) }];
  },
  map(payload, task) {
    const symbol = (task.symbol ?? '').toUpperCase();
    const bars: BarRow[] = payload.records
      .map((r) => ({
        symbol,
        date: r['Date'] ?? '',
        open: num(r['Open']),
        high: num(r['High']),
        low: num(r['Low']),
        close: num(r['Close']),
        // Indices and FX have no volume column.
        volume: r['Volume'] === undefined || r['Volume'] === '' ? 0 : num(r['Volume']),
      }))
      .filter((b) => b.date >= task.from && b.date <= task.to);
    unadjustBars(bars, payload.actions, 'split_dividend', task.to);
    return { bars_1d: bars };
  },
});
