import { defineConnector } from '../../sdk/define-connector.js';
import { utcDateTime } from '../../sdk/dates.js';
import type { IntradayBarRow } from '../../sdk/rows.js';
import { candlePages, candleStartMs, MINUTE_CANDLES, type UpbitCandles } from './candles.js';
import { upbitSource } from './upbit-source.js';

const MINUTE_MS = 60_000;

/** Upbit one-minute candles (`/v1/candles/minutes/1`), KRW markets such as KRW-BTC, into bars_1m. */
export const upbitIntraday = defineConnector<UpbitCandles>({
  ...upbitSource,
  name: 'upbit-intraday',
  title: 'Upbit candles (1-minute)',
  description:
    'One-minute candles of Upbit KRW markets (ts in UTC, not KST); a minute without trades has no candle; vwap in KRW.',
  writes: ['bars_1m'],
  stateDataset: 'bars_1m',
  // 1440 candles a day at 200 per request: a first run of a week is about 60 requests per market.
  defaultLookbackDays: 7,
  fetch: (ctx, task) => candlePages(ctx, task, MINUTE_CANDLES),
  map(page, task, ctx) {
    const bars: IntradayBarRow[] = [];
    const after = task.after === undefined ? -Infinity : Date.parse(task.after);
    for (const c of page) {
      const start = candleStartMs(c);
      const ts = utcDateTime(start);
      const date = ts.slice(0, 10);
      // The current minute's candle is still forming; the last page reaches back before `from`
      // (or to candles at or before `after`, which are stored already).
      const forming = start + MINUTE_MS > ctx.now.getTime();
      if (forming || start <= after || date < task.from || date > task.to) continue;
      const volume = c.candle_acc_trade_volume;
      bars.push({
        symbol: c.market,
        ts,
        open: c.opening_price,
        high: c.high_price,
        low: c.low_price,
        close: c.trade_price,
        volume,
        vwap: volume > 0 ? c.candle_acc_trade_price / volume : null,
      });
    }
    return { bars_1m: bars };
  },
});
