/**
 * How each synthetic vendor prints a daily bar, and where the planted errors change what it
 * prints. Every format imports with `marketlake lake import --dataset bars_1d` as is: the
 * columns the dataset needs carry its names, dates are ISO or YYYYMMDD, extra columns (the
 * Korean name) are ignored, and `source` labels every row as synthetic.
 */
import { formatDay, parseDay } from '../../core/index.js';
import { SPIKE_FACTOR } from './planted-errors.js';
import {
  DEMO_SOURCE,
  type DemoInstrument,
  type DemoMarket,
  type DemoMarketName,
  type PlantedErrorKind,
} from './types.js';

/** One bar's values as a vendor row prints them (NaN prints as a blank field). */
interface RowValues {
  /** Session date as the vendor prints it. */
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  turnover: number;
}

/** A vendor file format: file-name prefix, header and row printer. */
export interface VendorFormat {
  /** File names: `<prefix>-YYYYMMDD.csv` (one session) or `<prefix>-history-YYYY.csv`. */
  readonly prefix: string;
  /** Dates as 'YYYY-MM-DD' (iso) or 'YYYYMMDD' (compact, Korean vendors). */
  readonly dates: 'iso' | 'compact';
  readonly header: string;
  row(instrument: DemoInstrument, v: RowValues): string;
}

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '');

/** The vendor formats by market. */
export const VENDOR_FORMATS: Readonly<Record<DemoMarketName, VendorFormat>> = {
  XNYS: {
    prefix: 'us-eod',
    dates: 'iso',
    header: 'date,symbol,open,high,low,close,volume,vwap,source',
    row: (inst, v) =>
      `${v.date},${inst.symbol},${fixed(v.open, 2)},${fixed(v.high, 2)},${fixed(v.low, 2)},` +
      `${fixed(v.close, 2)},${fixed(v.volume, 0)},${fixed((v.high + v.low + 2 * v.close) / 4, 4)},${DEMO_SOURCE}`,
  },
  XKRX: {
    prefix: 'krx-daily',
    dates: 'compact',
    header: 'date,symbol,name,open,high,low,close,volume,turnover,source',
    row: (inst, v) =>
      `${v.date},${inst.symbol},${inst.localName ?? inst.name},${fixed(v.open, 0)},` +
      `${fixed(v.high, 0)},${fixed(v.low, 0)},${fixed(v.close, 0)},${fixed(v.volume, 0)},` +
      `${fixed(v.turnover, 0)},${DEMO_SOURCE}`,
  },
  CRYPTO: {
    prefix: 'crypto-daily',
    dates: 'iso',
    header: 'date,symbol,open,high,low,close,volume,turnover,source',
    row: (inst, v) =>
      `${v.date},${inst.symbol},${fixed(v.open, 2)},${fixed(v.high, 2)},${fixed(v.low, 2)},` +
      `${fixed(v.close, 2)},${fixed(v.volume, 4)},${fixed(v.turnover, 2)},${DEMO_SOURCE}`,
  },
  FX: {
    prefix: 'fx-daily',
    dates: 'iso',
    header: 'date,symbol,open,high,low,close,volume,source',
    row: (inst, v) =>
      `${v.date},${inst.symbol},${fixed(v.open, 2)},${fixed(v.high, 2)},${fixed(v.low, 2)},` +
      `${fixed(v.close, 2)},${fixed(v.volume, 0)},${DEMO_SOURCE}`,
  },
};

/** A planted error as the row printer applies it. */
interface RowError {
  kind: PlantedErrorKind;
  /** Row whose values are printed (stale runs repeat the bar before the run). */
  valuesFrom: number;
}

/** Prints the vendor rows of a market's bars, with the planted errors applied. */
export class VendorRowPrinter {
  private readonly errors = new Map<number, RowError>();
  /** Printed dates by day number: formatting each row's date again costs more than the row. */
  private readonly dates = new Map<number, { iso: string; compact: string }>();
  /** Reused for every row (one object instead of 250k). */
  private readonly v: RowValues = {
    date: '',
    open: 0,
    high: 0,
    low: 0,
    close: 0,
    volume: 0,
    turnover: 0,
  };

  constructor(private readonly market: DemoMarket) {
    const bySymbol = new Map(market.instruments.map((i) => [i.symbol, i.index]));
    for (const e of market.plantedErrors) {
      const index = bySymbol.get(e.symbol);
      if (index === undefined) continue;
      const first = this.rowOf(index, e.date);
      if (first < 0) continue;
      for (let k = 0; k < e.sessions; k++)
        this.errors.set(first + k, {
          kind: e.kind,
          valuesFrom: e.kind === 'stale_price' ? first - 1 : first + k,
        });
    }
  }

  /** Row of an instrument's bar on `date`, or -1. */
  rowOf(instrument: number, date: string): number {
    const { offsets, day } = this.market.bars;
    const target = parseDay(date) ?? Number.NaN;
    let lo = offsets[instrument]!;
    let hi = offsets[instrument + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = day[mid]!;
      if (v === target) return mid;
      if (v < target) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The lines a vendor prints for `row`: none (missing), one, or two (duplicated). */
  lines(row: number, out: string[]): number {
    const b = this.market.bars;
    const inst = this.market.instruments[b.instrument[row]!]!;
    const error = this.errors.get(row);
    if (error?.kind === 'missing_session') return 0;
    const src = error?.valuesFrom ?? row;
    const format = VENDOR_FORMATS[inst.exchange];
    const day = b.day[row]!;
    let date = this.dates.get(day);
    if (date === undefined) {
      const iso = formatDay(day);
      date = { iso, compact: iso.replaceAll('-', '') };
      this.dates.set(day, date);
    }
    const v = this.v;
    v.date = date[format.dates];
    v.open = b.open[src]!;
    v.high = b.high[src]!;
    v.low = b.low[src]!;
    v.close = b.close[src]!;
    v.volume = b.volume[src]!;
    v.turnover = b.turnover[src]!;
    if (error?.kind === 'high_below_low') [v.high, v.low] = [v.low, v.high];
    else if (error?.kind === 'negative_volume') v.volume = -v.volume;
    else if (error?.kind === 'blank_close') v.close = Number.NaN;
    else if (error?.kind === 'price_spike') {
      v.open *= SPIKE_FACTOR;
      v.high *= SPIKE_FACTOR;
      v.low *= SPIKE_FACTOR;
      v.close *= SPIKE_FACTOR;
      v.turnover *= SPIKE_FACTOR;
    }
    const line = format.row(inst, v);
    out.push(line);
    if (error?.kind === 'duplicate_row') {
      out.push(line);
      return 2;
    }
    return 1;
  }
}
