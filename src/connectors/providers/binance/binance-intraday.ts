import { defineConnector } from '../../sdk/define-connector.js';
import { utcDateTime } from '../../sdk/dates.js';
import type { IntradayBarRow } from '../../sdk/rows.js';
import { binanceSource } from './binance-source.js';
import { isClosed, klineOhlcv, klinePages, MINUTE_KLINES, type BinanceKlines } from './klines.js';

/** Binance spot klines (`/api/v3/klines`, interval 1m) into bars_1m; symbols like BTCUSDT. */
export const binanceIntraday = defineConnector<BinanceKlines>({
  ...binanceSource,
  name: 'binance-intraday',
  title: 'Binance spot klines (1-minute)',
  description:
    'One-minute candles of Binance spot markets; vwap is quote volume / base volume, trades the trade count.',
  writes: ['bars_1m'],
  stateDataset: 'bars_1m',
  // 1440 klines a day: a first run of a week is about 11 requests per symbol.
  defaultLookbackDays: 7,
  fetch: (ctx, task) => klinePages(ctx, task, MINUTE_KLINES),
  map(page, task, ctx) {
    const symbol = (task.symbol ?? '').toUpperCase();
    const bars: IntradayBarRow[] = page
      // The current minute's kline is still open: stored by the next run once it has closed.
      .filter((k) => isClosed(k, ctx.now))
      .map((k) => {
        const { quoteVolume, ...ohlcv } = klineOhlcv(k);
        return {
          symbol,
          ts: utcDateTime(k[0]),
          ...ohlcv,
          vwap: ohlcv.volume > 0 ? quoteVolume / ohlcv.volume : null,
          trades: k[8],
        };
      });
    return { bars_1m: bars };
  },
});
