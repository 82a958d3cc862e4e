import { z } from 'zod';
import { expectShape } from '../../http/payload.js';
import type { ConnectorContext, FetchTask } from '../../sdk/define-connector.js';
import { addDays, utcDateTime } from '../../sdk/dates.js';
import { pageSize } from '../page-size.js';

// Day candles add prev_closing_price and change_*, minute candles add unit; neither is read.
const candleSchema = z.array(
  z.looseObject({
    market: z.string(),
    candle_date_time_utc: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
    opening_price: z.number(),
    high_price: z.number(),
    low_price: z.number(),
    trade_price: z.number(),
    candle_acc_trade_price: z.number(),
    candle_acc_trade_volume: z.number(),
  }),
);

/** One page of Upbit candles (newest first). */
export type UpbitCandles = z.infer<typeof candleSchema>;

/** One Upbit candle. */
export type UpbitCandle = UpbitCandles[number];

/** A candle endpoint the connectors fetch, and what its pages are called in payload errors. */
export interface CandleKind {
  path: '/v1/candles/days' | '/v1/candles/minutes/1';
  what: string;
}

/** Day candles (UTC days, 09:00-09:00 KST). */
export const DAY_CANDLES: CandleKind = {
  path: '/v1/candles/days',
  what: 'an array of day candles',
};

/** One-minute candles. */
export const MINUTE_CANDLES: CandleKind = {
  path: '/v1/candles/minutes/1',
  what: 'an array of minute candles',
};

/** Most candles Upbit returns per request. */
const PAGE = 200;

/** Epoch ms of a candle's start (`candle_date_time_utc` carries no zone suffix). */
export function candleStartMs(candle: UpbitCandle): number {
  return Date.parse(`${candle.candle_date_time_utc}Z`);
}

/**
 * Candles of the task's market, `count` (option, default 200) per request, walking backwards
 * from the end of `task.to`: each page's `to` (exclusive) is the previous page's oldest candle.
 * Stops at the page that reaches the start of `task.from`, or `task.after` when set (pages may
 * reach back before it: callers drop those candles).
 */
export async function* candlePages(
  ctx: ConnectorContext,
  task: FetchTask,
  kind: CandleKind,
): AsyncGenerator<UpbitCandles> {
  const count = pageSize(ctx.options['count'], PAGE);
  const dayStart = `${task.from}T00:00:00`;
  // `after` is the stored candle the walk ends at; same 'YYYY-MM-DDTHH:MM:SS' form as the payload.
  const after =
    task.after === undefined ? undefined : utcDateTime(Date.parse(task.after)).replace(' ', 'T');
  const first = after !== undefined && after > dayStart ? after : dayStart;
  let to = `${addDays(task.to, 1)}T00:00:00Z`;
  for (;;) {
    const params = new URLSearchParams({
      market: (task.symbol ?? '').toUpperCase(),
      count: String(count),
      to,
    });
    const { response, data } = await ctx.http.getJson(
      `${ctx.baseUrl}${kind.path}?${params.toString()}`,
    );
    const page = expectShape(ctx.http.source, response.url, candleSchema, data, kind.what);
    yield page;
    const oldest = page[page.length - 1];
    if (page.length < count || !oldest || oldest.candle_date_time_utc <= first) return;
    to = `${oldest.candle_date_time_utc.slice(0, 19)}Z`;
  }
}
