import { beforeAll, describe, expect, it } from 'vitest';
import { formatDay, parseDay } from '../../core/index.js';
import { getCalendar } from '../calendars/index.js';
import { MarketInvalidOptionError } from '../errors.js';
import { generateDemoMarket } from './generate.js';
import type { DemoInstrument, DemoMarket } from './types.js';

/*
 * The synthetic market in memory: deterministic for a seed, statistically plausible (volatility,
 * sector correlation, regimes, volumes), on the exchange calendars, with splits and dividends
 * that leave adjusted prices continuous, and the documented list of planted errors.
 */

let market: DemoMarket;
let generationMs: number;

beforeAll(() => {
  generateDemoMarket({ years: 1 }); // warm up the calendars' year tables and the JIT
  const started = performance.now();
  market = generateDemoMarket();
  generationMs = performance.now() - started;
});

const rowsOf = (inst: DemoInstrument): [number, number] => [
  market.bars.offsets[inst.index]!,
  market.bars.offsets[inst.index + 1]!,
];

const dates = (inst: DemoInstrument): string[] => {
  const [a, b] = rowsOf(inst);
  return Array.from(market.bars.day.subarray(a, b), (d) => formatDay(d));
};

/** Close-to-close log returns, with split and dividend days adjusted away. */
function adjustedReturns(inst: DemoInstrument): Float64Array {
  const [a, b] = rowsOf(inst);
  const actions = new Map(
    market.corporateActions.filter((c) => c.symbol === inst.symbol).map((c) => [c.exDate, c]),
  );
  const out = new Float64Array(b - a - 1);
  for (let r = a + 1; r < b; r++) {
    const action = actions.get(formatDay(market.bars.day[r]!));
    let prev = market.bars.close[r - 1]!;
    if (action?.type === 'split') prev /= action.value;
    if (action?.type === 'cash_dividend') prev -= action.value;
    out[r - a - 1] = Math.log(market.bars.close[r]! / prev);
  }
  return out;
}

function std(x: Float64Array): number {
  let s = 0;
  let s2 = 0;
  for (const v of x) {
    s += v;
    s2 += v * v;
  }
  return Math.sqrt(s2 / x.length - (s / x.length) ** 2);
}

function correlation(x: Float64Array, y: Float64Array): number {
  const n = Math.min(x.length, y.length);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sx += (x[i]! - mx) ** 2;
    sy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sx * sy);
}

const stocks = (exchange: string): DemoInstrument[] =>
  market.instruments.filter((i) => i.exchange === exchange && i.type === 'stock');

describe('generateDemoMarket', () => {
  it('generates ~100 instruments and ~250k bars over ten years, well under 2 s', () => {
    expect(market.label).toBe('synthetic');
    expect([market.from, market.to]).toEqual(['2015-01-01', '2024-12-31']);
    expect(stocks('XNYS')).toHaveLength(60);
    expect(stocks('XKRX')).toHaveLength(40);
    expect(market.instruments.map((i) => i.symbol)).toContain('SYNBTC-USD');
    expect(market.instruments.map((i) => i.symbol)).toContain('USDKRW');
    expect(market.bars.length).toBeGreaterThan(240_000);
    expect(market.bars.length).toBeLessThan(260_000);
    // The bound leaves room for a loaded machine; alone it takes about 0.3 s.
    expect(generationMs).toBeLessThan(2_000);
  });

  it('is deterministic: same seed, identical columns; another seed, other prices', () => {
    const again = generateDemoMarket();
    for (const col of ['instrument', 'day', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(Buffer.from(again.bars[col].buffer).equals(Buffer.from(market.bars[col].buffer))).toBe(
        true,
      );
    }
    expect(again.corporateActions).toEqual(market.corporateActions);
    expect(again.plantedErrors).toEqual(market.plantedErrors);
    const other = generateDemoMarket({ seed: 43 });
    expect(Buffer.from(other.bars.close.buffer).equals(Buffer.from(market.bars.close.buffer))).toBe(
      false,
    );
    expect(other.instruments.map((i) => i.symbol)).toEqual(market.instruments.map((i) => i.symbol));
  });

  it('labels every instrument as synthetic', () => {
    for (const inst of market.instruments) {
      expect(inst.name).toMatch(/\(synthetic\)$/);
      if (inst.exchange === 'XNYS') expect(inst.symbol).toMatch(/^SYN[A-Z]{1,2}$/);
      if (inst.exchange === 'XKRX') {
        expect(inst.symbol).toMatch(/^99\d{4}$/);
        expect(inst.localCode).toBe(inst.symbol);
        expect(inst.localName).toMatch(/^합성/);
      }
    }
    expect(new Set(market.instruments.map((i) => i.symbol)).size).toBe(market.instruments.length);
  });

  it('trades on the calendars: sessions only, holidays skipped, crypto every day', () => {
    for (const inst of market.instruments) {
      const got = dates(inst);
      const cal = getCalendar(inst.exchange);
      expect(got, inst.symbol).toEqual(cal.sessions(inst.listedDate, market.to));
    }
    const nyse = dates(stocks('XNYS')[0]!);
    expect(nyse).not.toContain('2020-12-25');
    expect(nyse).not.toContain('2024-07-04');
    expect(nyse).toContain('2024-07-05');
    const krx = dates(stocks('XKRX')[0]!);
    expect(krx).not.toContain('2024-02-09'); // Seollal
    expect(krx).toContain('2024-07-04');
    const crypto = market.instruments.find((i) => i.type === 'crypto')!;
    const [a, b] = rowsOf(crypto);
    expect(b - a).toBe(parseDay(market.to)! - parseDay(market.from)! + 1);
  });

  it('keeps bars consistent: positive prices, high and low around open and close, ticks', () => {
    const { open, high, low, close, volume, instrument } = market.bars;
    for (let r = 0; r < market.bars.length; r++) {
      const inst = market.instruments[instrument[r]!]!;
      const o = open[r]!;
      const c = close[r]!;
      if (!(
        low[r]! > 0 &&
        high[r]! >= Math.max(o, c) &&
        low[r]! <= Math.min(o, c) &&
        volume[r]! > 0
      ))
        throw new Error(`inconsistent bar ${inst.symbol} row ${r}`);
      if (inst.exchange === 'XKRX') {
        const tick =
          c < 2_000
            ? 1
            : c < 5_000
              ? 5
              : c < 20_000
                ? 10
                : c < 50_000
                  ? 50
                  : c < 200_000
                    ? 100
                    : c < 500_000
                      ? 500
                      : 1_000;
        if (c % tick !== 0) throw new Error(`${inst.symbol} close ${c} is off the ${tick} tick`);
      } else if (Math.round(c * 100) / 100 !== c) throw new Error(`${inst.symbol} close ${c}`);
    }
  });

  it('has plausible daily volatility, and stays within the KRX 30% limit', () => {
    for (const inst of [...stocks('XNYS'), ...stocks('XKRX')]) {
      const returns = adjustedReturns(inst);
      const vol = std(returns);
      expect(vol, inst.symbol).toBeGreaterThan(0.01);
      expect(vol, inst.symbol).toBeLessThan(0.04);
      const worst = Math.max(...Array.from(returns, Math.abs));
      expect(worst, inst.symbol).toBeLessThan(inst.exchange === 'XKRX' ? Math.log(1.3) : 0.4);
    }
    const fx = std(adjustedReturns(market.instruments.find((i) => i.type === 'fx')!));
    expect(fx).toBeGreaterThan(0.002);
    expect(fx).toBeLessThan(0.012);
  });

  it('correlates stocks of one sector more than stocks of different sectors', () => {
    const full = stocks('XNYS').filter((i) => i.listedDate === '2015-01-02');
    const returns = full.map((i) => adjustedReturns(i));
    let within = 0;
    let nWithin = 0;
    let across = 0;
    let nAcross = 0;
    for (let i = 0; i < full.length; i++) {
      for (let j = i + 1; j < full.length; j++) {
        const c = correlation(returns[i]!, returns[j]!);
        if (full[i]!.sector === full[j]!.sector) {
          within += c;
          nWithin++;
        } else {
          across += c;
          nAcross++;
        }
      }
    }
    expect(within / nWithin).toBeGreaterThan(across / nAcross + 0.08);
    expect(across / nAcross).toBeGreaterThan(0.1);
  });

  it('switches volatility regimes and ties volume to the size of moves', () => {
    const inst = stocks('XNYS')[0]!;
    const returns = adjustedReturns(inst);
    const windows: number[] = [];
    for (let s = 0; s + 60 <= returns.length; s += 60)
      windows.push(std(returns.subarray(s, s + 60)));
    expect(Math.max(...windows) / Math.min(...windows)).toBeGreaterThan(1.8);
    const [a, b] = rowsOf(inst);
    const logVolume = Float64Array.from(market.bars.volume.subarray(a + 1, b), Math.log);
    expect(correlation(logVolume, Float64Array.from(returns, Math.abs))).toBeGreaterThan(0.2);
  });
});

describe('corporate actions of the demo', () => {
  it('plans 2:1, 3:1, 5:1 US splits and 50:1, 10:1, 5:1 KRX splits', () => {
    const splits = market.corporateActions.filter((a) => a.type === 'split');
    const ratios = (exchange: string): number[] =>
      splits
        .filter((s) => s.exchange === exchange)
        .map((s) => s.value)
        .sort((x, y) => x - y);
    expect(ratios('XNYS')).toEqual([2, 2, 2, 2, 3, 5]);
    expect(ratios('XKRX')).toEqual([5, 10, 50]);
    for (const split of splits) {
      const inst = market.instruments.find((i) => i.symbol === split.symbol)!;
      const d = dates(inst);
      const k = d.indexOf(split.exDate);
      expect(k).toBeGreaterThan(0);
      expect(split.announcedDate < split.exDate).toBe(true);
      // Raw prices drop by the ratio; adjusted prices move like any other day.
      const [a] = rowsOf(inst);
      const raw = Math.log(market.bars.close[a + k]! / market.bars.close[a + k - 1]!);
      expect(raw).toBeLessThan(-Math.log(split.value) + 0.3);
      expect(Math.abs(adjustedReturns(inst)[k - 1]!)).toBeLessThan(0.3);
    }
  });

  it('pays US dividends quarterly and KRX dividends on the second-to-last December session', () => {
    const dividends = market.corporateActions.filter((a) => a.type === 'cash_dividend');
    const fromStart = new Set(
      market.instruments.filter((i) => i.listedDate === '2015-01-02').map((i) => i.symbol),
    );
    const us = dividends.filter(
      (d) => d.exchange === 'XNYS' && d.exDate.startsWith('2019') && fromStart.has(d.symbol),
    );
    const perSymbol = new Map<string, number>();
    for (const d of us) perSymbol.set(d.symbol, (perSymbol.get(d.symbol) ?? 0) + 1);
    expect(perSymbol.size).toBeGreaterThan(20);
    expect(new Set(perSymbol.values())).toEqual(new Set([4]));
    const krx = getCalendar('XKRX');
    const kr = dividends.filter((d) => d.exchange === 'XKRX');
    expect(kr.length).toBeGreaterThan(100);
    for (const d of kr) {
      const year = d.exDate.slice(0, 4);
      const december = krx.sessions(`${year}-12-01`, `${year}-12-31`);
      expect(d.exDate).toBe(december[december.length - 2]);
      expect(d.currency).toBe('KRW');
      expect(d.value % 10).toBe(0);
    }
    for (const d of dividends) expect(d.value).toBeGreaterThan(0);
  });
});

describe('planted errors', () => {
  it('lists the fixed set of errors on stocks that trade that day', () => {
    const kinds = market.plantedErrors.map((e) => `${e.exchange}:${e.kind}`).sort();
    expect(kinds).toEqual([
      'XKRX:high_below_low',
      'XKRX:missing_session',
      'XKRX:negative_volume',
      'XKRX:price_spike',
      'XKRX:stale_price',
      'XNYS:blank_close',
      'XNYS:duplicate_row',
      'XNYS:high_below_low',
      'XNYS:missing_session',
      'XNYS:price_spike',
    ]);
    for (const e of market.plantedErrors) {
      const inst = market.instruments.find((i) => i.symbol === e.symbol)!;
      expect(inst.exchange).toBe(e.exchange);
      const d = dates(inst);
      const k = d.indexOf(e.date);
      expect(k, e.description).toBeGreaterThan(0);
      expect(k + e.sessions).toBeLessThan(d.length);
      expect(e.description).toContain(e.symbol);
      expect(e.reason === undefined).toBe(e.expected !== 'quarantined');
    }
    expect(new Set(market.plantedErrors.map((e) => e.symbol)).size).toBe(10);
    // Three of them fall in the last 90 days, which a running demo drips in live.
    expect(market.plantedErrors.filter((e) => e.date > '2024-10-02')).toHaveLength(3);
  });

  it('rejects options it cannot honour, naming them', () => {
    expect(() => generateDemoMarket({ seed: -1 })).toThrow(MarketInvalidOptionError);
    expect(() => generateDemoMarket({ years: 0 })).toThrow(/demo years/);
    expect(() => generateDemoMarket({ from: '2015-02-30' })).toThrow(/demo from/);
    expect(() => generateDemoMarket({ from: '1985-01-01' })).toThrow(/on or after 1990-01-01/);
    expect(() => generateDemoMarket({ from: '2040-01-01', years: 20 })).toThrow(/2050-12-31/);
  });

  it('generates short ranges too, with every planted error', () => {
    const small = generateDemoMarket({ seed: 5, years: 1, from: '2023-03-01' });
    expect(small.to).toBe('2024-02-29');
    expect(small.plantedErrors).toHaveLength(10);
  });
});
