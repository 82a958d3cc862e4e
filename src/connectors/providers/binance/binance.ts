import { defineConnector } from '../../sdk/define-connector.js';
import type { BarRow } from '../../sdk/rows.js';
import { binanceSource } from './binance-source.js';
import { DAY_KLINES, isClosed, klineOhlcv, klinePages, type BinanceKlines } from './klines.js';

/** Binance spot klines (`/api/v3/klines`, interval 1d) into bars_1d; symbols like BTCUSDT. */
export const binance = defineConnector<BinanceKlines>({
  ...binanceSource,
  name: 'binance',
  title: 'Binance spot klines',
  description:
    'Daily candles of Binance spot markets (UTC days); turnover is the quote-asset volume.',
  writes: ['bars_1d'],
  stateDataset: 'bars_1d',
  defaultLookbackDays: 365 * 9,
  fetch: (ctx, task) => klinePages(ctx, task, DAY_KLINES),
  map(page, task, ctx) {
    const symbol = (task.symbol ?? '').toUpperCase();
    const bars: BarRow[] = page
      // A kline still open (closeTime in the future) is today's forming candle: not stored.
      .filter((k) => isClosed(k, ctx.now))
      .map((k) => {
        const { quoteVolume, ...ohlcv } = klineOhlcv(k);
        return {
          symbol,
          date: new Date(k[0]).toISOString().slice(0, 10),
          ...ohlcv,
          turnover: quoteVolume,
        };
      });
    return { bars_1d: bars };
  },
});
