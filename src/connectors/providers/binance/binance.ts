import { z } from 'zod';
import { expectShape } from '../../http/payload.js';
import {
  defineConnector,
  type ConnectorContext,
  type FetchTask,
} from '../../sdk/define-connector.js';
import { addDays, dayStartUtcMs } from '../../sdk/dates.js';
import type { BarRow } from '../../sdk/rows.js';
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

/** One page of Binance klines. */
export type BinanceKlines = z.infer<typeof klineSchema>;

const PAGE = 1000;
const DAY_MS = 86_400_000;
/** Binance's request weight budget per minute per IP. */
const WEIGHT_LIMIT = 6000;

async function* pages(ctx: ConnectorContext, task: FetchTask): AsyncGenerator<BinanceKlines> {
  const limit = pageSize(ctx.options['limit'], PAGE);
  let start = dayStartUtcMs(task.from);
  const end = dayStartUtcMs(addDays(task.to, 1)) - 1;
  while (start <= end) {
    const params = new URLSearchParams({
      symbol: (task.symbol ?? '').toUpperCase(),
      interval: '1d',
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
    if (page.length < limit || !last) return;
    start = last[0] + DAY_MS;
  }
}

/** Binance spot klines (`/api/v3/klines`, interval 1d) into bars_1d; symbols like BTCUSDT. */
export const binance = defineConnector<BinanceKlines>({
  name: 'binance',
  title: 'Binance spot klines',
  description:
    'Daily candles of Binance spot markets (UTC days); turnover is the quote-asset volume.',
  baseUrl: 'https://api.binance.com',
  homepage: 'https://developers.binance.com/docs/binance-spot-api-docs',
  terms:
    'Public market data under the Binance Terms of Use and API terms; not available from some jurisdictions (use api.binance.us or a permitted mirror via baseUrl); no redistribution as a competing data service.',
  writes: ['bars_1d'],
  stateDataset: 'bars_1d',
  unit: 'symbol',
  calendar: 'CRYPTO',
  defaultLookbackDays: 365 * 9,
  rateLimit: {
    minIntervalMs: 100,
    note: '6000 request weight per minute per IP (klines weigh 2); 429 with Retry-After when exceeded, 418 (IP ban) when 429s are ignored. X-MBX-USED-WEIGHT-1M is watched.',
  },
  storedSymbol: (symbol) => symbol.toUpperCase(),
  quota(headers) {
    const used = Number(headers.get('x-mbx-used-weight-1m'));
    if (!Number.isFinite(used) || used < WEIGHT_LIMIT * 0.9) return undefined;
    // The weight window resets at the top of each minute.
    return {
      waitMs: 60_000 - (Date.now() % 60_000),
      reason: `X-MBX-USED-WEIGHT-1M ${used} of ${WEIGHT_LIMIT}`,
    };
  },
  fetch: pages,
  map(page, task, ctx) {
    const symbol = (task.symbol ?? '').toUpperCase();
    const bars: BarRow[] = page
      // A kline still open (closeTime in the future) is today's forming candle: not stored.
      .filter((k) => k[6] < ctx.now.getTime())
      .map((k) => ({
        symbol,
        date: new Date(k[0]).toISOString().slice(0, 10),
        open: Number(k[1]),
        high: Number(k[2]),
        low: Number(k[3]),
        close: Number(k[4]),
        volume: Number(k[5]),
        turnover: Number(k[7]),
      }));
    return { bars_1d: bars };
  },
});
