import type { Lake } from '../../lake/index.js';
import { MarketActionInvalidError } from '../errors.js';
import type { SymbolSegment } from '../instruments/symbol-history.js';
import { dateLiteral, doubleLiteral, literal, num } from '../sql.js';

/** How prices are adjusted on read. */
export type Adjustment = 'raw' | 'split' | 'total_return';

/** The adjustments `readBars` accepts. */
export const adjustments: readonly Adjustment[] = ['raw', 'split', 'total_return'];

/** The corporate actions of one ex-date, as they enter the factors of a read. */
export interface AppliedAction {
  /** The symbol read (the series), not necessarily the symbol traded then. */
  symbol: string;
  exDate: string;
  /** Product of split ratios and (1 + stock dividend) on that date; 1 when none. */
  splitRatio: number;
  /** Cash dividend per share on that date (0 when none, or when the read is not total_return). */
  dividend: number;
  /** Raw close of the last bar before the ex-date (undefined when there is none). */
  previousClose?: number;
  /** Price multiplier this ex-date contributes to every earlier bar. */
  priceFactor: number;
  /** Cumulative price multiplier of bars just before this ex-date (this and all later actions). */
  cumulativePriceFactor: number;
  /** Cumulative volume multiplier of bars just before this ex-date (split ratios only). */
  cumulativeVolumeFactor: number;
}

/** The bars of one series: which symbol traded when. */
export interface Series {
  symbol: string;
  segments: SymbolSegment[];
}

/** A `seg(series, symbol, seg_from, seg_to)` relation: the symbols each series spans, by date. */
export function segmentsSql(series: readonly Series[]): string {
  const rows = series.flatMap((s) =>
    s.segments.map(
      (g) =>
        `(${literal(s.symbol)}, ${literal(g.symbol)}, ${dateLiteral(g.from)}, ${dateLiteral(g.to)})`,
    ),
  );
  return `SELECT * FROM (VALUES ${rows.join(', ')}) AS t(series, symbol, seg_from, seg_to)`;
}

/** SQL condition: `column` (a date) lies in segment `s`. */
export function inSegment(column: string): string {
  return `(s.seg_from IS NULL OR ${column} >= s.seg_from) AND (s.seg_to IS NULL OR ${column} < s.seg_to)`;
}

/**
 * The actions a read applies, with their factors. DuckDB finds each ex-date's previous close
 * (an ASOF join over the raw bars); the cumulative products run over the few ex-dates per
 * series, newest first, so every bar's factor is the product of the actions after it.
 * `asOf` keeps only actions known then: announced_date, or ex_date when it is absent, <= asOf.
 */
export async function appliedActions(
  lake: Lake,
  series: readonly Series[],
  adjust: Exclude<Adjustment, 'raw'>,
  asOf?: string,
): Promise<AppliedAction[]> {
  if (series.length === 0) return [];
  const types =
    adjust === 'total_return'
      ? `'split', 'stock_dividend', 'cash_dividend'`
      : `'split', 'stock_dividend'`;
  const known =
    asOf === undefined ? '' : ` AND COALESCE(a.announced_date, a.ex_date) <= ${dateLiteral(asOf)}`;
  const { rows } = await lake.query(
    `WITH seg AS (${segmentsSql(series)}),
     b AS (SELECT s.series, x.date, x.close FROM bars_1d x JOIN seg s ON x.symbol = s.symbol AND ${inSegment('x.date')}),
     acts AS (
       SELECT s.series, a.ex_date, a.type, a.value FROM corporate_actions a JOIN seg s ON a.symbol = s.symbol AND ${inSegment('a.ex_date')}
       WHERE a.type IN (${types}) AND a.value IS NOT NULL AND a.value > 0${known}),
     ev AS (
       SELECT series, ex_date,
         COALESCE(product(CASE WHEN type = 'split' THEN value WHEN type = 'stock_dividend' THEN 1 + value END), 1) AS split_ratio,
         COALESCE(sum(CASE WHEN type = 'cash_dividend' THEN value END), 0) AS dividend
       FROM acts GROUP BY series, ex_date)
     SELECT ev.series, CAST(ev.ex_date AS VARCHAR) AS ex_date, ev.split_ratio, ev.dividend, b.close AS prev_close
     FROM ev ASOF LEFT JOIN b ON ev.series = b.series AND ev.ex_date > b.date
     ORDER BY ev.series, ev.ex_date DESC`,
    { maxRows: Number.MAX_SAFE_INTEGER },
  );
  const out: AppliedAction[] = [];
  let current = '';
  let price = 1;
  let volume = 1;
  for (const r of rows) {
    const symbol = String(r['series']);
    if (symbol !== current) {
      current = symbol;
      price = 1;
      volume = 1;
    }
    const exDate = String(r['ex_date']);
    const splitRatio = num(r['split_ratio']);
    const dividend = num(r['dividend']);
    const previousClose = r['prev_close'] === null ? undefined : num(r['prev_close']);
    // A dividend declared per post-split share on a split's ex-date is worth ratio times as much per old share.
    let dividendFactor = 1;
    if (dividend > 0 && previousClose !== undefined) {
      dividendFactor = 1 - (dividend * splitRatio) / previousClose;
      if (!(dividendFactor > 0)) {
        throw new MarketActionInvalidError(
          `The cash dividend of ${symbol} on ${exDate} (${dividend}) is not below the previous close ` +
            `(${previousClose}), so no total-return factor exists. Fix the dividend in corporate_actions ` +
            `or the close before ${exDate} in bars_1d.`,
          { details: { symbol, exDate, dividend, previousClose } },
        );
      }
    }
    const priceFactor = dividendFactor / splitRatio;
    price *= priceFactor;
    volume *= splitRatio;
    out.push({
      symbol,
      exDate,
      splitRatio,
      dividend,
      ...(previousClose === undefined ? {} : { previousClose }),
      priceFactor,
      cumulativePriceFactor: price,
      cumulativeVolumeFactor: volume,
    });
  }
  return out.sort((a, b) =>
    a.symbol === b.symbol ? a.exDate.localeCompare(b.exDate) : a.symbol.localeCompare(b.symbol),
  );
}

/** A `f(series, ex_date, pf, vf)` relation of cumulative factors for an ASOF join. */
export function factorsSql(actions: readonly AppliedAction[]): string {
  if (actions.length === 0)
    return `SELECT CAST(NULL AS VARCHAR) AS series, CAST(NULL AS DATE) AS ex_date, CAST(NULL AS DOUBLE) AS pf, CAST(NULL AS DOUBLE) AS vf WHERE false`;
  const rows = actions.map(
    (a) =>
      `(${literal(a.symbol)}, ${dateLiteral(a.exDate)}, ${doubleLiteral(a.cumulativePriceFactor)}, ${doubleLiteral(a.cumulativeVolumeFactor)})`,
  );
  return `SELECT * FROM (VALUES ${rows.join(', ')}) AS t(series, ex_date, pf, vf)`;
}
