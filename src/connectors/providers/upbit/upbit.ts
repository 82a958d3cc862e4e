import { defineConnector } from '../../sdk/define-connector.js';
import type { BarRow } from '../../sdk/rows.js';
import { candlePages, DAY_CANDLES, type UpbitCandles } from './candles.js';
import { upbitSource } from './upbit-source.js';

/** Upbit day candles (`/v1/candles/days`), KRW markets such as KRW-BTC, into bars_1d. */
export const upbit = defineConnector<UpbitCandles>({
  ...upbitSource,
  name: 'upbit',
  title: 'Upbit candles',
  description:
    'Daily candles of Upbit KRW markets (KRW-BTC, KRW-ETH); a day runs 09:00-09:00 KST (00:00 UTC); turnover in KRW.',
  writes: ['bars_1d'],
  stateDataset: 'bars_1d',
  defaultLookbackDays: 365 * 8,
  fetch: (ctx, task) => candlePages(ctx, task, DAY_CANDLES),
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
