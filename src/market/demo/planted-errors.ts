/**
 * The data errors the demo plants in its vendor files, so that imports, quarantine and quality
 * checks have something real to catch. The list is fixed: each kind sits at a fixed position of
 * the date range (a fraction of it, or a number of sessions before its end so the live drip of a
 * running demo delivers some); only the affected stocks are drawn from the seed.
 */
import { formatDay } from '../../core/index.js';
import type { DemoRandom } from './random.js';
import type { PlannedAction } from './simulate.js';
import type { PlantedError, PlantedErrorKind } from './types.js';
import type { InstrumentPlan } from './universe.js';

/** Where one planted error goes. */
interface ErrorSpec {
  kind: PlantedErrorKind;
  exchange: 'XNYS' | 'XKRX';
  /** Fraction of the market's sessions, or sessions before the last one. */
  at?: number;
  fromEnd?: number;
}

/** Sessions a stale run lasts. */
export const STALE_RUN_SESSIONS = 6;

/** How much a price spike multiplies the true prices. */
export const SPIKE_FACTOR = 10;

const SPECS: readonly ErrorSpec[] = [
  { kind: 'missing_session', exchange: 'XKRX', at: 0.25 },
  { kind: 'high_below_low', exchange: 'XNYS', at: 0.3 },
  { kind: 'negative_volume', exchange: 'XKRX', at: 0.45 },
  { kind: 'price_spike', exchange: 'XNYS', at: 0.52 },
  { kind: 'blank_close', exchange: 'XNYS', at: 0.6 },
  { kind: 'duplicate_row', exchange: 'XNYS', at: 0.7 },
  { kind: 'stale_price', exchange: 'XKRX', at: 0.8 },
  { kind: 'high_below_low', exchange: 'XKRX', fromEnd: 40 },
  { kind: 'price_spike', exchange: 'XKRX', fromEnd: 25 },
  { kind: 'missing_session', exchange: 'XNYS', fromEnd: 12 },
];

const DETAILS: Readonly<
  Record<
    PlantedErrorKind,
    { expected: PlantedError['expected']; reason: string | undefined; text: string }
  >
> = {
  high_below_low: {
    expected: 'quarantined',
    reason: 'high < low',
    text: 'high and low swapped (high < low)',
  },
  negative_volume: {
    expected: 'quarantined',
    reason: 'volume is negative',
    text: 'volume written with a minus sign',
  },
  blank_close: { expected: 'quarantined', reason: 'close is blank', text: 'close left blank' },
  missing_session: {
    expected: 'missing',
    reason: undefined,
    text: 'no row for a session the exchange traded',
  },
  duplicate_row: {
    expected: 'quarantined',
    reason: 'duplicate key',
    text: 'the same row twice in one file (the import quarantines both copies)',
  },
  price_spike: {
    expected: 'present',
    reason: undefined,
    text: `prices ${SPIKE_FACTOR}x the true level for one session (looks like a missed split)`,
  },
  stale_price: {
    expected: 'present',
    reason: undefined,
    text: `the previous bar repeated for ${STALE_RUN_SESSIONS} sessions (stale feed)`,
  },
};

/** An instrument as error placement sees it. */
export interface PlacementInput {
  plan: InstrumentPlan;
  /** Session day indices (relative to `firstDay`). */
  sessions: Int32Array;
  actions: Map<number, PlannedAction>;
}

/** Places the fixed list of errors on stocks drawn from `rng`; ascending by date, then symbol. */
export function plantErrors(
  rng: DemoRandom,
  instruments: readonly PlacementInput[],
  marketSessions: Readonly<Record<'XNYS' | 'XKRX', Int32Array>>,
  firstDay: number,
): PlantedError[] {
  const used = new Set<number>();
  const out: PlantedError[] = [];
  for (const spec of SPECS) {
    const sessions = marketSessions[spec.exchange];
    const length = spec.kind === 'stale_price' ? STALE_RUN_SESSIONS : 1;
    const wanted =
      spec.at !== undefined
        ? Math.round(spec.at * (sessions.length - 1))
        : sessions.length - 1 - (spec.fromEnd ?? 0);
    // Later sessions first when the wanted one has no eligible stock (all stocks busy with actions).
    for (
      let idx = Math.max(6, Math.min(wanted, sessions.length - 9));
      idx < sessions.length;
      idx++
    ) {
      const day = sessions[idx]!;
      const candidates = eligible(instruments, used, spec.exchange, day, length);
      if (candidates.length === 0) continue;
      const pick = candidates[rng.int(candidates.length)]!;
      used.add(pick);
      const details = DETAILS[spec.kind];
      const symbol = instruments[pick]!.plan.symbol;
      out.push({
        kind: spec.kind,
        symbol,
        exchange: spec.exchange,
        date: formatDay(firstDay + day),
        sessions: length,
        expected: details.expected,
        reason: details.reason,
        description: `${symbol} ${formatDay(firstDay + day)}: ${details.text}`,
      });
      break;
    }
  }
  return out.sort((a, b) => a.date.localeCompare(b.date) || a.symbol.localeCompare(b.symbol));
}

/** Stocks of `exchange` trading on `day` with room around it: listed for a while, no action near. */
function eligible(
  instruments: readonly PlacementInput[],
  used: ReadonlySet<number>,
  exchange: 'XNYS' | 'XKRX',
  day: number,
  length: number,
): number[] {
  const out: number[] = [];
  for (const [i, inst] of instruments.entries()) {
    if (used.has(i) || inst.plan.exchange !== exchange || inst.plan.type !== 'stock') continue;
    const k = indexOf(inst.sessions, day);
    if (k < 6 || k + length + 2 >= inst.sessions.length) continue;
    let clear = true;
    for (let j = k - 3; j <= k + length + 2 && clear; j++) if (inst.actions.has(j)) clear = false;
    if (clear) out.push(i);
  }
  return out;
}

function indexOf(sessions: Int32Array, day: number): number {
  let lo = 0;
  let hi = sessions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sessions[mid]!;
    if (v === day) return mid;
    if (v < day) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
