/**
 * `generateDemoMarket`: the whole synthetic market in memory, deterministic for a seed. Sessions
 * come from the exchange calendars (holidays included), so the demo's bars line up with what the
 * calendars, gap checks and session schedules expect.
 */
import { dayOf, formatDay, parseDay } from '../../core/index.js';
import { getCalendar } from '../calendars/index.js';
import { MarketInvalidOptionError } from '../errors.js';
import { simulateFactors } from './factors.js';
import { plantErrors, type PlacementInput } from './planted-errors.js';
import { DemoRandom } from './random.js';
import { planActions, simulateInstrument, type BarColumns } from './simulate.js';
import type {
  DemoCorporateAction,
  DemoInstrument,
  DemoMarket,
  DemoMarketName,
  DemoMarketOptions,
} from './types.js';
import { buildUniverse, SECTOR_FACTORS } from './universe.js';

/** Defaults of `generateDemoMarket`. */
export const DEMO_DEFAULTS = { seed: 42, from: '2015-01-01', years: 10 } as const;

/** The earliest and latest dates every demo calendar covers (XNYS starts 1990, XKRX ends 2050). */
const EARLIEST = '1990-01-01';
const LATEST = '2050-12-31';

const STREAM_PLAN = 0;
const STREAM_FACTORS = 1;
const STREAM_ERRORS = 2;
const STREAM_INSTRUMENT = 100;

/** Validated options with defaults applied, and the range as day numbers. */
export interface ResolvedDemoOptions {
  seed: number;
  from: string;
  to: string;
  years: number;
  firstDay: number;
  lastDay: number;
}

/** Applies defaults and validates; throws `MarketInvalidOptionError` naming the bad option. */
export function resolveDemoOptions(options: DemoMarketOptions = {}): ResolvedDemoOptions {
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new MarketInvalidOptionError('demo seed', seed, 'a non-negative integer, e.g. 42');
  const years = options.years ?? DEMO_DEFAULTS.years;
  if (!Number.isInteger(years) || years < 1 || years > 35)
    throw new MarketInvalidOptionError('demo years', years, 'an integer from 1 to 35');
  const from = options.from ?? DEMO_DEFAULTS.from;
  const firstDay = parseDay(from);
  if (firstDay === undefined || from < EARLIEST)
    throw new MarketInvalidOptionError(
      'demo from',
      from,
      `a date 'YYYY-MM-DD' on or after ${EARLIEST}`,
    );
  const [y, m, d] = [Number(from.slice(0, 4)), Number(from.slice(5, 7)), Number(from.slice(8))];
  const lastDay = dayOf(y + years, m, d) - 1;
  const to = formatDay(lastDay);
  if (to > LATEST)
    throw new MarketInvalidOptionError(
      'demo from/years',
      `${from} + ${years} years`,
      `a range ending by ${LATEST} (the XKRX calendar's last year)`,
    );
  return { seed, from, to, years, firstDay, lastDay };
}

/** Session day indices (relative to `firstDay`) of a calendar within the range. */
function sessionIndices(market: DemoMarketName, r: ResolvedDemoOptions): Int32Array {
  const list = getCalendar(market).sessions(r.from, r.to);
  return Int32Array.from(list, (s) => (parseDay(s) ?? r.firstDay) - r.firstDay);
}

/**
 * Generates the synthetic market: ~100 stocks on XNYS and XKRX, a crypto pair and USD/KRW over
 * `years` from `from`, with correlated prices, volatility regimes, volumes, splits, dividends and
 * a fixed list of planted data errors. Same options, same result, to the bit.
 */
export function generateDemoMarket(options: DemoMarketOptions = {}): DemoMarket {
  const r = resolveDemoOptions(options);
  const days = r.lastDay - r.firstDay + 1;
  const plans = buildUniverse(new DemoRandom(r.seed, STREAM_PLAN));
  const factors = simulateFactors(
    new DemoRandom(r.seed, STREAM_FACTORS),
    r.firstDay,
    days,
    SECTOR_FACTORS,
  );
  const marketSessions = {
    XNYS: sessionIndices('XNYS', r),
    XKRX: sessionIndices('XKRX', r),
    CRYPTO: sessionIndices('CRYPTO', r),
    FX: sessionIndices('FX', r),
  };
  const inputs: PlacementInput[] = plans.map((plan) => {
    const all = marketSessions[plan.exchange];
    const listDay = Math.floor(plan.listAt * days);
    const start = plan.listAt > 0 ? all.findIndex((d) => d >= listDay) : 0;
    const sessions = start < 0 ? new Int32Array(0) : all.subarray(start);
    return { plan, sessions, actions: planActions(plan, sessions, factors) };
  });
  const offsets = new Uint32Array(plans.length + 1);
  for (const [i, input] of inputs.entries()) offsets[i + 1] = offsets[i]! + input.sessions.length;
  const length = offsets[plans.length]!;
  const cols: BarColumns = {
    day: new Int32Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
    turnover: new Float64Array(length),
  };
  const instrument = new Uint16Array(length);
  for (const [i, input] of inputs.entries()) {
    simulateInstrument(
      input.plan,
      new DemoRandom(r.seed, STREAM_INSTRUMENT + i),
      factors,
      input.sessions,
      input.actions,
      cols,
      offsets[i]!,
    );
    instrument.fill(i, offsets[i], offsets[i + 1]);
  }
  const instruments: DemoInstrument[] = inputs.map(({ plan, sessions }, index) => ({
    index,
    symbol: plan.symbol,
    exchange: plan.exchange,
    name: plan.name,
    localName: plan.localName,
    type: plan.type,
    currency: plan.currency,
    localCode: plan.localCode,
    sector: plan.sector,
    listedDate: formatDay(r.firstDay + (sessions[0] ?? 0)),
  }));
  const corporateActions: DemoCorporateAction[] = inputs.flatMap(({ plan, sessions, actions }) =>
    [...actions.values()].map((a) => ({
      symbol: plan.symbol,
      exchange: plan.exchange,
      exDate: formatDay(r.firstDay + sessions[a.exIndex]!),
      type: a.type,
      value: a.value,
      currency: plan.currency,
      announcedDate: formatDay(r.firstDay + sessions[a.announcedIndex]!),
    })),
  );
  corporateActions.sort(
    (a, b) =>
      a.exDate.localeCompare(b.exDate) ||
      a.symbol.localeCompare(b.symbol) ||
      a.type.localeCompare(b.type),
  );
  const plantedErrors = plantErrors(
    new DemoRandom(r.seed, STREAM_ERRORS),
    inputs,
    { XNYS: marketSessions.XNYS, XKRX: marketSessions.XKRX },
    r.firstDay,
  );
  return {
    label: 'synthetic',
    seed: r.seed,
    from: r.from,
    to: r.to,
    instruments,
    bars: { length, instrument, ...cols, offsets },
    corporateActions,
    plantedErrors,
  };
}
