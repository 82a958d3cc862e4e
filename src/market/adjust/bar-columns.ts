import type { AdjustedBar } from './read-bars.js';

/** Bars as columns: typed arrays for the numbers, for vectorized analytics. */
export interface BarColumns {
  symbol: string[];
  date: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  factor: Float64Array;
}

/** Turns the rows of `readBars` into columns (one pass; analytics then loop over typed arrays). */
export function toBarColumns(rows: readonly AdjustedBar[]): BarColumns {
  const n = rows.length;
  const out: BarColumns = {
    symbol: new Array<string>(n),
    date: new Array<string>(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    factor: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    out.symbol[i] = r.symbol;
    out.date[i] = r.date;
    out.open[i] = r.open;
    out.high[i] = r.high;
    out.low[i] = r.low;
    out.close[i] = r.close;
    out.volume[i] = r.volume;
    out.factor[i] = r.factor;
  }
  return out;
}
