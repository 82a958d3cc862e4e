/**
 * One instrument's price path: correlated geometric Brownian motion in trading time (factor
 * shocks of every calendar day since the previous session add up into the session's return),
 * scaled by the volatility regime, with mild mean reversion toward a drifting trend so ten years
 * of prices stay plausible. Splits and cash dividends change the raw price on their ex-dates;
 * volumes are log-normal and rise with the size of the move.
 */
import { dayOf } from '../../core/index.js';
import { FACTOR_VOL, STRESS_VOL_MULTIPLIER, type FactorPaths } from './factors.js';
import type { DemoRandom } from './random.js';
import type { InstrumentPlan } from './universe.js';

/** Where the rows of one instrument go. */
export interface BarColumns {
  day: Int32Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  turnover: Float64Array;
}

/** A corporate action by session index of the instrument. */
export interface PlannedAction {
  type: 'split' | 'cash_dividend';
  /** Session index of the ex-date and of the announcement. */
  exIndex: number;
  announcedIndex: number;
  value: number;
}

/** KRX tick sizes by price band (the 2023 unified table). */
function krxTick(price: number): number {
  if (price < 2_000) return 1;
  if (price < 5_000) return 5;
  if (price < 20_000) return 10;
  if (price < 50_000) return 50;
  if (price < 200_000) return 100;
  if (price < 500_000) return 500;
  return 1_000;
}

/** Rounds a price to the instrument's tick (never below one tick). */
export function roundToTick(plan: InstrumentPlan, price: number): number {
  if (plan.currency === 'KRW' && plan.type === 'stock') {
    const tick = krxTick(price);
    return Math.max(tick, Math.round(price / tick) * tick);
  }
  return Math.max(0.01, Math.round(price * 100) / 100);
}

/** First index of `sessions` whose day is >= `day`, or -1. */
function sessionAtOrAfter(sessions: Int32Array, day: number): number {
  let lo = 0;
  let hi = sessions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sessions[mid]! < day) lo = mid + 1;
    else hi = mid;
  }
  return lo < sessions.length ? lo : -1;
}

/** Ex-dates (session indices) of the instrument's dividends and split. */
export function planActions(
  plan: InstrumentPlan,
  sessions: Int32Array,
  factors: FactorPaths,
): Map<number, PlannedAction> {
  const out = new Map<number, PlannedAction>();
  if (sessions.length < 2) return out;
  const dividend = (exIndex: number): void => {
    if (exIndex >= 1 && !out.has(exIndex))
      out.set(exIndex, {
        type: 'cash_dividend',
        exIndex,
        announcedIndex: Math.max(0, exIndex - 10),
        value: 0,
      });
  };
  if (plan.dividendYield > 0 && plan.exchange === 'XKRX') {
    // Korean year-end dividends: ex-date on the second-to-last session of December (a December
    // cut short by the end of the range has no known last session, so it pays nothing).
    const endsOnNewYearsEve =
      factors.month[factors.days - 1] === 12 &&
      dayOf(factors.year[factors.days - 1]!, 12, 31) === factors.firstDay + factors.days - 1;
    for (let k = 1; k < sessions.length; k++) {
      const d = sessions[k]!;
      const next = sessions[k + 1];
      const after = sessions[k + 2];
      const endsYear =
        factors.month[d] === 12 &&
        next !== undefined &&
        factors.month[next] === 12 &&
        (after === undefined ? endsOnNewYearsEve : factors.month[after] !== 12);
      if (endsYear) dividend(k);
    }
  } else if (plan.dividendYield > 0) {
    const firstYear = factors.year[0]!;
    const lastYear = factors.year[factors.days - 1]!;
    for (let y = firstYear; y <= lastYear; y++) {
      for (let q = 0; q < 4; q++) {
        const target = dayOf(y, plan.dividendMonth + 3 * q, plan.dividendDay) - factors.firstDay;
        if (target < 0 || target >= factors.days) continue;
        const k = sessionAtOrAfter(sessions, target);
        if (k >= 0) dividend(k);
      }
    }
  }
  if (plan.split) {
    let k = sessionAtOrAfter(sessions, Math.floor(plan.split.at * factors.days));
    while (k >= 0 && out.has(k)) k = k + 1 < sessions.length ? k + 1 : -1;
    if (k >= 1)
      out.set(k, {
        type: 'split',
        exIndex: k,
        announcedIndex: Math.max(0, k - 20),
        value: plan.split.ratio,
      });
  }
  return out;
}

/**
 * Simulates one instrument into `cols` from row `offset` (one row per entry of `sessions`, day
 * indices relative to `factors.firstDay`). Fills in the dividend amounts of `actions`.
 */
export function simulateInstrument(
  plan: InstrumentPlan,
  rng: DemoRandom,
  factors: FactorPaths,
  sessions: Int32Array,
  actions: Map<number, PlannedAction>,
  cols: BarColumns,
  offset: number,
): void {
  if (sessions.length === 0) return;
  const crypto = plan.type === 'crypto';
  const stock = plan.type === 'stock';
  const gLoad = plan.betaGlobal * FACTOR_VOL.global;
  const mLoad = plan.marketFactor >= 0 ? plan.betaMarket * FACTOR_VOL.market : 0;
  const sLoad = plan.sectorFactor >= 0 ? plan.betaSector * FACTOR_VOL.sector : 0;
  const mPath = factors.market[plan.marketFactor];
  const sPath = factors.sector[plan.sectorFactor];
  const totalVol = Math.sqrt(gLoad ** 2 + mLoad ** 2 + sLoad ** 2 + plan.idioVol ** 2);
  const limitUp = plan.priceLimit > 0 ? Math.log(1 + plan.priceLimit * 0.97) : Infinity;
  const limitDown = plan.priceLimit > 0 ? Math.log(1 - plan.priceLimit * 0.97) : -Infinity;
  const startDay = sessions[0]!;
  const trend0 = Math.log(plan.startPrice);
  let level = trend0;
  let price = plan.startPrice;
  let baseVolume = plan.baseVolume;
  let dividend = 0;
  let dividendYear = -1;
  let acc = 0;
  let accVar = 0;
  let k = 0;
  for (let d = startDay; d < factors.days && k < sessions.length; d++) {
    const vm = factors.stress[d] === 1 ? STRESS_VOL_MULTIPLIER : 1;
    let shock = gLoad * factors.global[d]!;
    if (mPath) shock += mLoad * mPath[d]!;
    if (sPath) shock += sLoad * sPath[d]!;
    const w = crypto ? 1 : factors.weight[d]!;
    shock += plan.idioVol * (crypto ? 1 : factors.sqrtWeight[d]!) * rng.normal();
    acc += vm * shock + plan.driftPerDay;
    accVar += vm * vm * w;
    if (sessions[k] !== d) continue;

    const sigma = totalVol * Math.sqrt(accVar);
    const trend = trend0 + plan.driftPerDay * (d - startDay);
    let r = k === 0 ? 0 : acc - plan.reversion * (level - trend);
    r = Math.min(limitUp, Math.max(limitDown, r));
    level += r;
    let base = price;
    const action = actions.get(k);
    if (action?.type === 'cash_dividend') {
      const year = factors.year[d]!;
      if (year !== dividendYear) {
        const perPayment = (price * plan.dividendYield) / (plan.exchange === 'XKRX' ? 1 : 4);
        dividend =
          plan.currency === 'KRW'
            ? Math.max(10, Math.round(perPayment / 10) * 10)
            : Math.max(0.01, Math.round(perPayment * 100) / 100);
        dividendYear = year;
      }
      action.value = dividend;
      base = price - dividend;
    } else if (action?.type === 'split') {
      base = price / action.value;
      baseVolume *= action.value;
    }
    let gap = stock ? 0.35 * r + 0.3 * sigma * rng.normal() : 0;
    gap = Math.min(limitUp, Math.max(limitDown, gap));
    const open = base * Math.exp(gap);
    const close = base * Math.exp(r);
    const spread = 0.5 * sigma;
    const highRaw = Math.min(
      base * Math.exp(limitUp),
      Math.max(open, close) * Math.exp(spread * Math.abs(rng.normal())),
    );
    const lowRaw = Math.max(
      base * Math.exp(limitDown),
      Math.min(open, close) * Math.exp(-spread * Math.abs(rng.normal())),
    );
    const row = offset + k;
    const o = roundToTick(plan, open);
    const c = roundToTick(plan, close);
    const h = Math.max(roundToTick(plan, highRaw), o, c);
    const l = Math.min(roundToTick(plan, lowRaw), o, c);
    const size = Math.abs(r) / Math.max(sigma, 1e-9);
    const units =
      baseVolume *
      Math.exp(0.45 * (size - 0.8) + 0.35 * rng.normal() + 0.3 * (factors.stress[d] ?? 0));
    const volume = crypto
      ? Math.max(0.0001, Math.round(units * 1e4) / 1e4)
      : Math.max(1, Math.round(units));
    const vwap = (h + l + 2 * c) / 4;
    cols.day[row] = factors.firstDay + d;
    cols.open[row] = o;
    cols.high[row] = h;
    cols.low[row] = l;
    cols.close[row] = c;
    cols.volume[row] = volume;
    cols.turnover[row] =
      plan.currency === 'KRW' ? Math.round(vwap * volume) : Math.round(vwap * volume * 100) / 100;
    price = c;
    acc = 0;
    accVar = 0;
    k++;
  }
}
