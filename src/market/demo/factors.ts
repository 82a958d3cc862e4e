/**
 * Common factors of the demo market, one value per calendar day: a volatility regime (a two-state
 * Markov switch between calm and stressed), a global factor every instrument loads on, a market
 * factor per country and a factor per sector. Stocks that share a sector therefore move together
 * more than stocks of different sectors, and more than stocks of different countries.
 */
import { civilOf } from '../../core/index.js';
import type { DemoRandom } from './random.js';

/** Daily volatilities of the factors in the calm regime. */
export const FACTOR_VOL = { global: 0.007, market: 0.005, sector: 0.006 } as const;
/** How much every volatility rises in the stressed regime. */
export const STRESS_VOL_MULTIPLIER = 2.2;
/** Daily probabilities of entering and leaving the stressed regime (mean spell: 25 days). */
const ENTER_STRESS = 0.006;
const LEAVE_STRESS = 0.04;
/** Share of a weekday's variance that builds up on a weekend day (news does not stop). */
const WEEKEND_WEIGHT = 0.2;

/** Factor paths over the calendar days `firstDay .. firstDay + days - 1`. */
export interface FactorPaths {
  /** Day number of index 0. */
  firstDay: number;
  /** Number of calendar days. */
  days: number;
  /** 1 on stressed days. */
  stress: Uint8Array;
  /** Variance weight of the day (1 on weekdays) and its square root. */
  weight: Float64Array;
  sqrtWeight: Float64Array;
  /** Standardised shocks (already scaled by the day's weight). */
  global: Float64Array;
  /** Per country: 0 US, 1 KR. */
  market: Float64Array[];
  /** Per sector factor. */
  sector: Float64Array[];
  /** Civil year and month of each day, for dividend schedules. */
  year: Uint16Array;
  month: Uint8Array;
}

/** Simulates the factors from their own stream. */
export function simulateFactors(
  rng: DemoRandom,
  firstDay: number,
  days: number,
  sectors: number,
): FactorPaths {
  const stress = new Uint8Array(days);
  const weight = new Float64Array(days);
  const sqrtWeight = new Float64Array(days);
  const global = new Float64Array(days);
  const market = [new Float64Array(days), new Float64Array(days)];
  const sector = Array.from({ length: sectors }, () => new Float64Array(days));
  const year = new Uint16Array(days);
  const month = new Uint8Array(days);
  let stressed = 0;
  for (let d = 0; d < days; d++) {
    const day = firstDay + d;
    // Day 0 (1970-01-01) was a Thursday: (day + 4) % 7 is 0 on Sundays, 6 on Saturdays.
    const dow = (((day + 4) % 7) + 7) % 7;
    const w = dow === 0 || dow === 6 ? WEEKEND_WEIGHT : 1;
    const sw = Math.sqrt(w);
    const u = rng.uniform();
    stressed = stressed === 1 ? (u < LEAVE_STRESS ? 0 : 1) : u < ENTER_STRESS ? 1 : 0;
    stress[d] = stressed;
    weight[d] = w;
    sqrtWeight[d] = sw;
    global[d] = sw * rng.normal();
    for (const m of market) m[d] = sw * rng.normal();
    for (const s of sector) s[d] = sw * rng.normal();
    const [y, mo] = civilOf(day);
    year[d] = y;
    month[d] = mo;
  }
  return { firstDay, days, stress, weight, sqrtWeight, global, market, sector, year, month };
}
