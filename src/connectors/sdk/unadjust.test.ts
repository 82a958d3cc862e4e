import { describe, expect, it } from 'vitest';
import { unadjustBars, type AdjustableBar, type AdjustmentEvent } from './unadjust.js';

const raw: AdjustableBar[] = [
  { date: '2024-01-02', open: 100, high: 102, low: 99, close: 101, volume: 1000 },
  { date: '2024-01-03', open: 101, high: 104, low: 100, close: 103, volume: 1200 },
  { date: '2024-01-04', open: 102, high: 103, low: 98, close: 99, volume: 900 },
  { date: '2024-01-05', open: 50, high: 51, low: 49, close: 50.5, volume: 2400 },
  { date: '2024-01-08', open: 50, high: 52, low: 50, close: 51, volume: 2000 },
];
// A 1.5 cash dividend going ex on 2024-01-04, then a 2:1 split on 2024-01-05.
const events: AdjustmentEvent[] = [
  { exDate: '2024-01-04', kind: 'cash_dividend', value: 1.5 },
  { exDate: '2024-01-05', kind: 'split', value: 2 },
];

/** Adjusts raw bars the way vendors do (CRSP factors), independently of the code under test. */
function adjust(bars: AdjustableBar[], withDividends: boolean): AdjustableBar[] {
  const divFactor = 1 - 1.5 / 103; // close before the ex-date, raw
  return bars.map((b) => {
    let f = 1;
    let v = 1;
    if (b.date < '2024-01-05') {
      f *= 0.5;
      v *= 2;
    }
    if (withDividends && b.date < '2024-01-04') f *= divFactor;
    return {
      ...b,
      open: b.open * f,
      high: b.high * f,
      low: b.low * f,
      close: b.close * f,
      volume: b.volume * v,
    };
  });
}

describe('unadjustBars', () => {
  it('restores raw prices and volume from split-adjusted bars', () => {
    const bars = adjust(raw, false);
    unadjustBars(bars, events, 'split');
    expect(bars).toEqual(raw);
  });

  it('restores raw prices from split- and dividend-adjusted bars', () => {
    const bars = adjust(raw, true);
    const factors = unadjustBars(bars, events, 'split_dividend');
    expect(bars).toEqual(raw);
    expect(factors[4]).toBe(1);
    expect(factors[0]).toBeCloseTo(0.5 * (1 - 1.5 / 103), 12);
  });

  it('ignores events after asOf and on or before the first bar', () => {
    const bars = raw.map((b) => ({ ...b }));
    unadjustBars(
      bars,
      [...events, { exDate: '2024-01-02', kind: 'split', value: 10 }],
      'split_dividend',
      '2024-01-03',
    );
    expect(bars).toEqual(raw);
  });
});
