import { z } from 'zod';
import { expectShape } from '../../http/payload.js';
import {
  defineConnector,
  type ConnectorContext,
  type FetchTask,
} from '../../sdk/define-connector.js';
import { addDays } from '../../sdk/dates.js';
import type { BarRow } from '../../sdk/rows.js';
import { pageSize } from '../page-size.js';

const candleSchema = z.array(
  z.looseObject({
    market: z.string(),
    candle_date_time_utc: z.string(),
    opening_price: z.number(),
    high_price: z.number(),
    low_price: z.number(),
    trade_price: z.number(),
    candle_acc_trade_price: z.number(),
    candle_acc_trade_volume: z.number(),
  }),
);

/** One page of Upbit day candles (newest first). */
export type UpbitCandles = z.infer<typeof candleSchema>;

const PAGE = 200;

/** Pause asked by `Remaining-Req: group=candles; min=599; sec=0` (no request left this second). */
export function upbitQuota(headers: Headers): { waitMs: number; reason: string } | undefined {
  const header = headers.get('remaining-req');
  const sec = header ? /sec=(\d+)/.exec(header)?.[1] : undefined;
  if (sec === undefined || Number(sec) > 0) return undefined;
  return { waitMs: 1000 - (Date.now() % 1000), reason: `Remaining-Req ${header}` };
}

// Upbit pages backwards from `to` (exclusive), 200 candles at a time.
async function* pages(ctx: ConnectorContext, task: FetchTask): AsyncGenerator<UpbitCandles> {
  const count = pageSize(ctx.options['count'], PAGE);
  let to = `${addDays(task.to, 1)}T00:00:00Z`;
  for (;;) {
    const params = new URLSearchParams({
      market: (task.symbol ?? '').toUpperCase(),
      count: String(count),
      to,
    });
    const { response, data } = await ctx.http.getJson(
      `${ctx.baseUrl}/v1/candles/days?${params.toString()}`,
    );
    const page = expectShape(
      ctx.http.source,
      response.url,
      candleSchema,
      data,
      'an array of day candles',
    );
    yield page;
    const oldest = page[page.length - 1];
    if (page.length < count || !oldest || oldest.candle_date_time_utc.slice(0, 10) <= task.from)
      return;
    to = `${oldest.candle_date_time_utc.slice(0, 19)}Z`;
  }
}

/** Upbit day candles (`/v1/candles/days`), KRW markets such as KRW-BTC, into bars_1d. */
export const upbit = defineConnector<UpbitCandles>({
  name: 'upbit',
  title: 'Upbit candles',
  description:
    'Daily candles of Upbit KRW markets (KRW-BTC, KRW-ETH); a day runs 09:00-09:00 KST (00:00 UTC); turnover in KRW.',
  baseUrl: 'https://api.upbit.com',
  homepage: 'https://global-docs.upbit.com',
  terms:
    'Upbit Open API quotation data under the Upbit Open API terms: personal use, attribution, no resale or redistribution of the data as a service.',
  writes: ['bars_1d'],
  stateDataset: 'bars_1d',
  unit: 'symbol',
  calendar: 'CRYPTO',
  defaultLookbackDays: 365 * 8,
  rateLimit: {
    minIntervalMs: 120,
    note: 'Quotation API: 10 requests/s per IP (group candles); Remaining-Req tells what is left, 429 when exceeded.',
  },
  storedSymbol: (symbol) => symbol.toUpperCase(),
  quota: upbitQuota,
  fetch: pages,
  map(page, task, ctx) {
    const today = ctx.now.toISOString().slice(0, 10);
    const bars: BarRow[] = page
      .map((c) => ({
        symbol: c.market,
        date: c.candle_date_time_utc.slice(0, 10),
        open: c.opening_price,
        high: c.high_price,
        low: c.low_price,
        close: c.trade_price,
        volume: c.candle_acc_trade_volume,
        turnover: c.candle_acc_trade_price,
      }))
      // Today's candle is still forming.
      .filter((b) => b.date >= task.from && b.date <= task.to && b.date < today);
    return { bars_1d: bars };
  },
});
