import type { Lake } from '../../lake/index.js';
import { MarketInvalidOptionError } from '../errors.js';
import { resolveSegments, listSymbolChanges } from '../instruments/symbol-history.js';
import { choiceOption, dateOption, dateRange, symbolOption } from '../options.js';
import { dateLiteral, num, optText } from '../sql.js';
import {
  adjustments,
  appliedActions,
  factorsSql,
  inSegment,
  segmentsSql,
  type Adjustment,
  type AppliedAction,
  type Series,
} from './adjustment-factors.js';

/** Options of `readBars`. */
export interface ReadBarsOptions {
  /** One symbol; or use `symbols`. */
  symbol?: string;
  symbols?: readonly string[];
  /** First session date (inclusive, 'YYYY-MM-DD'). */
  from?: string;
  /** Last session date (inclusive). */
  to?: string;
  /** Default `raw`. */
  adjust?: Adjustment;
  /** Use only the corporate actions (and symbol changes) known on this date. */
  asOf?: string;
}

/** A daily bar as read, prices multiplied by `factor` and volume by the split ratios after it. */
export interface AdjustedBar {
  /** The symbol asked for (bars traded under an earlier symbol are included under it). */
  symbol: string;
  /** The symbol the bar traded under. */
  tradedSymbol: string;
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap?: number;
  turnover?: number;
  /** Price multiplier applied to the raw bar (1 for raw reads). */
  factor: number;
}

/** What `readBars` returns: the bars, and the actions whose factors they carry. */
export interface BarsResult {
  adjust: Adjustment;
  asOf?: string;
  rows: AdjustedBar[];
  actions: AppliedAction[];
}

function symbolsOf(options: ReadBarsOptions): string[] {
  const list = [
    ...(options.symbol === undefined ? [] : [options.symbol]),
    ...(options.symbols ?? []),
  ].map((s) => symbolOption('symbol', s));
  if (list.length === 0)
    throw new MarketInvalidOptionError('symbol', undefined, 'a symbol (or a list of symbols)');
  return [...new Set(list)];
}

/**
 * Reads daily bars of one or more symbols, raw or adjusted. Prices are stored raw; the factors
 * come from corporate actions at read time (split: 1/ratio, cash dividend: 1 - dividend /
 * previous close), multiplied over the actions after each bar, so the latest bars equal the raw
 * prices. A read of a renamed symbol includes the bars traded under its earlier symbols.
 */
export async function readBars(lake: Lake, options: ReadBarsOptions): Promise<BarsResult> {
  const symbols = symbolsOf(options);
  const adjust = choiceOption('adjust', options.adjust, adjustments, 'raw');
  const { from, to } = dateRange(options.from, options.to);
  const asOf = dateOption(options.asOf);
  const changes = await listSymbolChanges(lake, asOf === undefined ? {} : { asOf });
  const series: Series[] = symbols.map((symbol) => ({
    symbol,
    segments: resolveSegments(symbol, changes).segments,
  }));
  const actions = adjust === 'raw' ? [] : await appliedActions(lake, series, adjust, asOf);
  const range = [
    from === undefined ? '' : ` AND x.date >= ${dateLiteral(from)}`,
    to === undefined ? '' : ` AND x.date <= ${dateLiteral(to)}`,
  ].join('');
  const { rows } = await lake.query(
    `WITH seg AS (${segmentsSql(series)}),
     f AS (${factorsSql(actions)}),
     b AS (SELECT s.series, x.* FROM bars_1d x JOIN seg s ON x.symbol = s.symbol AND ${inSegment('x.date')}${range})
     SELECT b.series AS symbol, b.symbol AS traded_symbol, CAST(b.date AS VARCHAR) AS date,
       b.open * COALESCE(f.pf, 1) AS open, b.high * COALESCE(f.pf, 1) AS high,
       b.low * COALESCE(f.pf, 1) AS low, b.close * COALESCE(f.pf, 1) AS close,
       b.volume * COALESCE(f.vf, 1) AS volume, b.vwap * COALESCE(f.pf, 1) AS vwap, b.turnover,
       COALESCE(f.pf, 1) AS factor
     FROM b ASOF LEFT JOIN f ON b.series = f.series AND f.ex_date > b.date
     ORDER BY b.series, b.date`,
    { maxRows: Number.MAX_SAFE_INTEGER },
  );
  return {
    adjust,
    ...(asOf === undefined ? {} : { asOf }),
    rows: rows.map((r) => {
      const bar: AdjustedBar = {
        symbol: String(r['symbol']),
        tradedSymbol: String(r['traded_symbol']),
        date: String(r['date']),
        open: num(r['open']),
        high: num(r['high']),
        low: num(r['low']),
        close: num(r['close']),
        volume: num(r['volume']),
        factor: num(r['factor']),
      };
      const vwap = optText(r['vwap']);
      const turnover = optText(r['turnover']);
      if (vwap !== undefined) bar.vwap = Number(vwap);
      if (turnover !== undefined) bar.turnover = Number(turnover);
      return bar;
    }),
    actions,
  };
}
