import {
  defineConnector,
  type ConnectorContext,
  type FetchTask,
} from '../../sdk/define-connector.js';
import { addDays, dayStartUtcMs, localDate, utcDateTime } from '../../sdk/dates.js';
import type { BarRow, IntradayBarRow, MappedRows } from '../../sdk/rows.js';
import { unadjustBars } from '../../sdk/unadjust.js';
import { actionsOf, chartResult, instrumentOf, zoneOf, type ChartResult } from './chart-payload.js';

const TERMS =
  "Yahoo's data is for personal, non-commercial use under the Yahoo Terms of Service; the chart API is unofficial and undocumented, may change or block clients without notice, and redistribution is not allowed.";
// Yahoo answers 429 to clients without a browser-like agent.
const USER_AGENT = 'Mozilla/5.0 (compatible; marketlake; +https://github.com/marketlake)';

async function fetchChart(
  ctx: ConnectorContext,
  task: FetchTask,
  interval: '1d' | '1m',
): Promise<ChartResult[]> {
  const symbol = (task.symbol ?? '').toUpperCase();
  // A day of slack on each side covers every exchange zone; bars are filtered by local date.
  // Resuming intraday bars start at the latest stored one (Yahoo includes it; map drops it).
  const period1 =
    task.after === undefined
      ? Math.floor((dayStartUtcMs(task.from) - 86_400_000) / 1000)
      : Math.floor(Date.parse(task.after) / 1000);
  // Daily charts always run to now: Yahoo's prices are split-adjusted as of today, so every
  // later split must be in the response to undo it.
  const period2 =
    interval === '1d'
      ? Math.floor(ctx.now.getTime() / 1000)
      : Math.min(
          Math.floor(ctx.now.getTime() / 1000),
          Math.floor(dayStartUtcMs(addDays(task.to, 2)) / 1000),
        );
  const params = new URLSearchParams({
    period1: String(period1),
    period2: String(period2),
    interval,
    events: 'div,splits',
    includeAdjustedClose: 'true',
  });
  const url = `${ctx.baseUrl}/v8/finance/chart/${encodeURIComponent(symbol)}?${params.toString()}`;
  const { response, data } = await ctx.http.getJson(url, { headers: { 'User-Agent': USER_AGENT } });
  return [chartResult(ctx.http.source, response.url, data)];
}

interface Bar {
  epochMs: number;
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

function barsOf(result: ChartResult): Bar[] {
  const q = result.indicators.quote[0];
  const ts = result.timestamp ?? [];
  if (!q) return [];
  const zone = zoneOf(result);
  const out: Bar[] = [];
  ts.forEach((t, i) => {
    const [open, high, low, close] = [q.open[i], q.high[i], q.low[i], q.close[i]];
    // Rows with null prices are sessions without trades (or padding); they are not bars.
    if (open == null || high == null || low == null || close == null) return;
    out.push({
      epochMs: t * 1000,
      date: localDate(t * 1000, zone),
      open,
      high,
      low,
      close,
      volume: q.volume[i] ?? 0,
    });
  });
  return out;
}

function mapDaily(result: ChartResult, task: FetchTask, ctx: ConnectorContext): MappedRows {
  const { rows: actions, splits } = actionsOf(result);
  const regular = result.meta.currentTradingPeriod?.regular;
  const today = localDate(ctx.now.getTime(), zoneOf(result));
  const bars = barsOf(result).filter(
    // Today's bar is dropped while the session runs: it would be stored half-formed.
    (b) => !(b.date === today && regular && ctx.now.getTime() < regular.end * 1000),
  );
  unadjustBars(bars, splits, 'split', today);
  const symbol = result.meta.symbol;
  const bars1d: BarRow[] = bars
    .filter((b) => b.date >= task.from && b.date <= task.to)
    .map((b) => ({
      symbol,
      date: b.date,
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
    }));
  return {
    bars_1d: bars1d,
    corporate_actions: actions.filter((a) => a.ex_date >= task.from),
    instruments: instrumentOf(result),
  };
}

function mapIntraday(result: ChartResult, task: FetchTask, ctx: ConnectorContext): MappedRows {
  const { splits } = actionsOf(result);
  const bars = barsOf(result).filter((b) => b.epochMs + 60_000 <= ctx.now.getTime());
  unadjustBars(bars, splits, 'split', localDate(ctx.now.getTime(), zoneOf(result)));
  const symbol = result.meta.symbol;
  // `after` bounds a resumed task to the minute; `from` is the UTC date of that bar, which need
  // not be its local date.
  const after = task.after === undefined ? undefined : Date.parse(task.after);
  const rows: IntradayBarRow[] = bars
    .filter((b) => (after === undefined ? b.date >= task.from : b.epochMs > after))
    .filter((b) => b.date <= task.to)
    .map((b) => ({
      symbol,
      ts: utcDateTime(b.epochMs),
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
    }));
  return { bars_1m: rows, instruments: instrumentOf(result) };
}

const common = {
  baseUrl: 'https://query1.finance.yahoo.com',
  homepage: 'https://finance.yahoo.com',
  terms: TERMS,
  unit: 'symbol' as const,
  storedSymbol: (symbol: string) => symbol.toUpperCase(),
  rateLimit: {
    minIntervalMs: 500,
    note: 'Unpublished; about 2 requests/s is tolerated, bursts get 429 (honoured with backoff).',
  },
};

/** Yahoo Finance chart API: daily bars (raw, splits undone), dividends, splits, instruments. */
export const yahoo = defineConnector<ChartResult>({
  ...common,
  name: 'yahoo',
  title: 'Yahoo Finance (daily)',
  description:
    'Daily OHLCV bars, cash dividends and splits from the v8 chart API (any Yahoo symbol).',
  writes: ['bars_1d', 'corporate_actions', 'instruments'],
  stateDataset: 'bars_1d',
  defaultLookbackDays: 365 * 30,
  fetch: (ctx, task) => fetchChart(ctx, task, '1d'),
  map: mapDaily,
});

/** Yahoo Finance chart API, one-minute bars (Yahoo keeps about 7 days of them). */
export const yahooIntraday = defineConnector<ChartResult>({
  ...common,
  name: 'yahoo-intraday',
  title: 'Yahoo Finance (1-minute)',
  description: 'One-minute OHLCV bars for the last days (Yahoo serves about 7 days of 1m data).',
  writes: ['bars_1m', 'instruments'],
  stateDataset: 'bars_1m',
  defaultLookbackDays: 6,
  fetch: (ctx, task) => fetchChart(ctx, task, '1m'),
  map: mapIntraday,
});
