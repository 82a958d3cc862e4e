/**
 * Vendors often ship adjusted prices; the lake stores raw ones and adjusts at query time from
 * corporate actions. These functions undo a vendor's adjustment given the same actions.
 *
 * Conventions (CRSP, Yahoo): a split of ratio r (new shares per old) on ex-date E divides every
 * earlier price by r and multiplies earlier volume by r; a cash dividend D multiplies every
 * earlier price by f = 1 - D / close(day before E), the close being raw.
 */

/** A split or cash dividend as the un-adjustment needs it. */
export interface AdjustmentEvent {
  exDate: string;
  kind: 'split' | 'cash_dividend';
  /** Split ratio (new shares per old) or dividend per share (raw, in the price currency). */
  value: number;
}

/** The price and volume fields un-adjusted in place (others are left as they are). */
export interface AdjustableBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap?: number | null;
}

/**
 * Turns adjusted bars of ONE symbol into raw bars, in place. `includes` says what the vendor's
 * prices include; events after `asOf` (the day the vendor adjusted, default the last bar) are
 * ignored, as are events on or before the first bar (they changed nothing in the range).
 * Returns the factor applied to each bar's prices, oldest first.
 */
export function unadjustBars(
  bars: AdjustableBar[],
  events: readonly AdjustmentEvent[],
  includes: 'split' | 'split_dividend',
  asOf?: string,
): number[] {
  if (bars.length === 0) return [];
  bars.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const first = bars[0]!.date;
  const last = asOf ?? bars[bars.length - 1]!.date;
  const relevant = events
    .filter((e) => e.exDate > first && e.exDate <= last && e.value > 0)
    .filter((e) => e.kind === 'split' || includes === 'split_dividend')
    .sort((a, b) => (a.exDate < b.exDate ? 1 : a.exDate > b.exDate ? -1 : 0));
  // Factor of each event, newest first; a dividend's depends on the factors after it.
  const factors: { exDate: string; price: number; volume: number }[] = [];
  let later = 1;
  for (const e of relevant) {
    let f: number;
    if (e.kind === 'split') f = 1 / e.value;
    else {
      const prev = lastBefore(bars, e.exDate);
      if (prev === undefined) continue;
      // raw close before E = adj / (f * later); solving f = 1 - D / raw gives:
      f = prev.close / (prev.close + e.value * later);
    }
    later *= f;
    factors.push({ exDate: e.exDate, price: f, volume: e.kind === 'split' ? f : 1 });
  }
  const applied: number[] = new Array<number>(bars.length);
  let price = 1;
  let volume = 1;
  let k = 0;
  // Walk bars newest first, accumulating each event's factor once the bar is before it.
  for (let i = bars.length - 1; i >= 0; i--) {
    const bar = bars[i]!;
    while (k < factors.length && factors[k]!.exDate > bar.date) {
      price *= factors[k]!.price;
      volume *= factors[k]!.volume;
      k++;
    }
    applied[i] = price;
    if (price !== 1) {
      bar.open = round(bar.open / price, 6);
      bar.high = round(bar.high / price, 6);
      bar.low = round(bar.low / price, 6);
      bar.close = round(bar.close / price, 6);
      if (typeof bar.vwap === 'number') bar.vwap = round(bar.vwap / price, 6);
    }
    if (volume !== 1) bar.volume = round(bar.volume * volume, 4);
  }
  return applied;
}

function lastBefore(bars: readonly AdjustableBar[], date: string): AdjustableBar | undefined {
  let lo = 0;
  let hi = bars.length - 1;
  let found: AdjustableBar | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const bar = bars[mid]!;
    if (bar.date < date) {
      found = bar;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** `x` rounded to `digits` decimals (removes the float noise an un-adjustment leaves). */
export function round(x: number, digits: number): number {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
}
