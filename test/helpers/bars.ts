/** A daily bar as `Lake.write` takes it (prices and volume as numbers, date as `YYYY-MM-DD`). */
export interface BarRow {
  symbol: string;
  date: string;
  open: number | string | null;
  high: number | string | null;
  low: number | string | null;
  close: number | string | null;
  volume: number | string | null;
  [column: string]: unknown;
}

/** A valid `bars_1d` row for `symbol` on `date`, with `overrides` applied. */
export function bar(symbol: string, date: string, overrides: Partial<BarRow> = {}): BarRow {
  return { symbol, date, open: 10, high: 12, low: 9, close: 11, volume: 1000, ...overrides };
}

/** `n` consecutive calendar days from `start` (UTC), as `YYYY-MM-DD`. */
export function days(start: string, n: number): string[] {
  const t0 = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) =>
    new Date(t0 + i * 86_400_000).toISOString().slice(0, 10),
  );
}

/** Rows as `symbol|date|close` strings, sorted: a compact way to compare lake contents. */
export function keysOf(rows: readonly Record<string, unknown>[], ...columns: string[]): string[] {
  const cols = columns.length > 0 ? columns : ['symbol', 'date'];
  return rows.map((r) => cols.map((c) => String(r[c] as string)).join('|')).sort();
}
