import type { RawValue } from './parquet-values.js';

/** Code point order of two strings (the order of their UTF-8 bytes, as DuckDB sorts text). */
function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800-DFFF) stand for code points above U+FFFF: move them past U+E000-FFFF.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** DuckDB's ascending order: NULLs last, NaN above every other number. */
export function compareRaw(a: RawValue, b: RawValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'string') return compareText(a, b as string);
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares rows `a` and `b` by the sort key columns, in DuckDB's order. */
function compareKeys(keys: RawValue[][], a: number, b: number): number {
  for (const column of keys) {
    const c = compareRaw(column[a]!, column[b]!);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Rows collected with their sort keys (kept by column, no array per row), returned in DuckDB's
 * order; rows usually arrive in order already, and then are not sorted again.
 */
export class OrderedRows {
  private readonly rows: Record<string, unknown>[] = [];
  private readonly keys: RawValue[][];
  private sorted = true;

  constructor(keyCount: number) {
    this.keys = Array.from({ length: keyCount }, () => []);
  }

  add(row: Record<string, unknown>, keyOf: (k: number) => RawValue): void {
    const at = this.rows.length;
    this.rows.push(row);
    for (let k = 0; k < this.keys.length; k++) this.keys[k]!.push(keyOf(k));
    if (this.sorted && at > 0) this.sorted = compareKeys(this.keys, at - 1, at) <= 0;
  }

  /** The first `limit` rows in order. */
  take(limit: number): Record<string, unknown>[] {
    if (this.sorted) return this.rows.slice(0, limit);
    const order = this.rows.map((_, i) => i).sort((a, b) => compareKeys(this.keys, a, b));
    return order.slice(0, limit).map((i) => this.rows[i]!);
  }
}
