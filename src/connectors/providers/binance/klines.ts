import { z } from 'zod';
import { expectShape } from '../../http/payload.js';
import type { ConnectorContext, FetchTask } from '../../sdk/define-connector.js';
import { addDays, dayStartUtcMs } from '../../sdk/dates.js';
import { pageSize } from '../page-size.js';

// [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, ignore]
const klineSchema = z.array(
  z
    .tuple([
      z.number(),
      z.string(),
      z.string(),
      z.string(),
      z.string(),
      z.string(),
      z.number(),
      z.string(),
      z.number(),
    ])
    .rest(z.unknown()),
);

/** One page of Binance klines (oldest first). */
export type BinanceKlines = z.infer<typeof klineSchema>;

/** One Binance kline. */
export type BinanceKline = BinanceKlines[number];

/** A kline interval the connectors fetch: Binance's name for it and its length. */
export interface KlineInterval {
  name: '1d' | '1m';
  ms: number;
}

/** Daily klines (a UTC day). */
export const DAY_KLINES: KlineInterval = { name: '1d', ms: 86_400_000 };

/** One-minute klines. */
export const MINUTE_KLINES: KlineInterval = { name: '1m', ms: 60_000 };

/** Most klines Binance returns per request. */
const PAGE = 1000;

/**
 * Klines of the task's symbol over its UTC days (`/api/v3/klines`), `limit` (option, default
 * 1000) per request, from the first kline after `task.after` when set; each page starts one
 * interval after the previous page's last open time.
 */
export async function* klinePages(
  ctx: ConnectorContext,
  task: FetchTask,
  interval: KlineInterval,
): AsyncGenerator<BinanceKlines> {
  const limit = pageSize(ctx.options['limit'], PAGE);
  const dayStart = dayStartUtcMs(task.from);
  // The kline opening at `after` is stored already: resume with the next one.
  let start =
    task.after === undefined ? dayStart : Math.max(dayStart, Date.parse(task.after) + interval.ms);
  const end = dayStartUtcMs(addDays(task.to, 1)) - 1;
  while (start <= end) {
    const params = new URLSearchParams({
      symbol: (task.symbol ?? '').toUpperCase(),
      interval: interval.name,
      startTime: String(start),
      endTime: String(end),
      limit: String(limit),
    });
    const { response, data } = await ctx.http.getJson(
      `${ctx.baseUrl}/api/v3/klines?${params.toString()}`,
    );
    const page = expectShape(
      ctx.http.source,
      response.url,
      klineSchema,
      data,
      'an array of klines',
    );
    yield page;
    const last = page[page.length - 1];
    // A short page ends the range, and nothing opens after a kline that is still open.
    if (page.length < limit || !last || !isClosed(last, ctx.now)) return;
    start = last[0] + interval.ms;
  }
}

/** Whether a kline had closed by `now`; an open one is still forming and is not stored. */
export function isClosed(kline: BinanceKline, now: Date): boolean {
  return kline[6] < now.getTime();
}

/** The OHLCV numbers of a kline (Binance sends prices and volumes as decimal strings). */
export function klineOhlcv(kline: BinanceKline): {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
} {
  return {
    open: Number(kline[1]),
    high: Number(kline[2]),
    low: Number(kline[3]),
    close: Number(kline[4]),
    volume: Number(kline[5]),
    quoteVolume: Number(kline[7]),
  };
}
