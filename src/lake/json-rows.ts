import {
  DuckDBDateValue,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBDataChunk,
  type DuckDBResult,
  type DuckDBVector,
} from '@duckdb/node-api';

/** Rows of a result as JSON-safe objects, exactly as `getRowObjectsJson` gives them. */
export interface JsonRows {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  /** True when the result had more rows than the limit. */
  truncated: boolean;
}

/**
 * How a column of one chunk is converted. `typed` and `date` read the vector's value array
 * directly; `string` and `value` test validity as bytes and read only valid rows, `value` through
 * DuckDB's JSON converter; `library` is that converter on every row.
 */
export type ColumnPath = 'typed' | 'date' | 'string' | 'value' | 'library';

/** The fields of a flat DuckDB vector that the fast paths read (present at run time, not typed). */
interface FlatVector {
  items?: unknown;
  validity?: { data?: unknown };
}

const FINITE_OR_TEXT = new Set<DuckDBTypeId>([DuckDBTypeId.DOUBLE, DuckDBTypeId.FLOAT]);
const NUMBER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
]);
const BIGINT_TYPES = new Set<DuckDBTypeId>([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT]);

type NumericArray =
  | Float64Array
  | Float32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** The vector's validity as bytes (bit i of byte i>>3), null when every row is valid, undefined if unknown. */
function validityBytes(vector: DuckDBVector): Uint8Array | null | undefined {
  const data = (vector as unknown as FlatVector).validity?.data;
  if (data === null) return null;
  if (data instanceof BigUint64Array)
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

function numericItems(vector: DuckDBVector): NumericArray | undefined {
  const items = (vector as unknown as FlatVector).items;
  return ArrayBuffer.isView(items) && !(items instanceof DataView)
    ? (items as NumericArray)
    : undefined;
}

/** Day number -> DuckDB's own text of that date; bars repeat a few thousand dates. */
const dateText = new Map<number, string>();
const DATE_CACHE_LIMIT = 200_000;

/** DuckDB's text of a date given as days since 1970-01-01 (cached). */
export function dateString(days: number): string {
  let text = dateText.get(days);
  if (text === undefined) {
    text = String(new DuckDBDateValue(days));
    if (dateText.size >= DATE_CACHE_LIMIT) dateText.clear();
    dateText.set(days, text);
  }
  return text;
}

/** A column's conversion, with the validity bytes and value array it reads. */
interface ColumnAccess {
  path: ColumnPath;
  bits: Uint8Array | null;
  items: NumericArray | undefined;
}

function columnAccess(vector: DuckDBVector): ColumnAccess {
  const bits = validityBytes(vector);
  if (bits === undefined) return { path: 'library', bits: null, items: undefined };
  const id = vector.type.typeId;
  if (id === DuckDBTypeId.VARCHAR) return { path: 'string', bits, items: undefined };
  const items = numericItems(vector);
  if (items === undefined || items.length < vector.itemCount)
    return { path: 'value', bits, items: undefined };
  if (id === DuckDBTypeId.DATE && items instanceof Int32Array) return { path: 'date', bits, items };
  if (FINITE_OR_TEXT.has(id) || NUMBER_TYPES.has(id) || BIGINT_TYPES.has(id))
    return { path: 'typed', bits, items };
  return { path: 'value', bits, items: undefined };
}

/** Which conversion a column of a chunk takes (exported for the test that pins the fast paths). */
export function columnPath(vector: DuckDBVector): ColumnPath {
  return columnAccess(vector).path;
}

/** Converts column `c` of `chunk` into `out[offset..]`, with the library's JSON semantics. */
function convertColumn(chunk: DuckDBDataChunk, c: number, out: unknown[], offset: number): void {
  const vector = chunk.getColumnVector(c);
  const n = chunk.rowCount;
  const { path, bits, items } = columnAccess(vector);
  if (path === 'library') {
    const values = chunk.convertColumnValues(c, JsonDuckDBValueConverter);
    for (let i = 0; i < n; i++) out[offset + i] = values[i];
    return;
  }
  const valid = (i: number): boolean => !bits || (bits[i >> 3]! & (1 << (i & 7))) !== 0;
  if (path === 'string') {
    for (let i = 0; i < n; i++) out[offset + i] = valid(i) ? vector.getItem(i) : null;
    return;
  }
  if (path === 'value' || items === undefined) {
    const type = vector.type;
    for (let i = 0; i < n; i++) {
      out[offset + i] = valid(i)
        ? JsonDuckDBValueConverter(vector.getItem(i), type, JsonDuckDBValueConverter)
        : null;
    }
    return;
  }
  const id = vector.type.typeId;
  if (path === 'date') {
    for (let i = 0; i < n; i++) out[offset + i] = valid(i) ? dateString(items[i] as number) : null;
  } else if (FINITE_OR_TEXT.has(id)) {
    for (let i = 0; i < n; i++) {
      const x = items[i] as number;
      out[offset + i] = valid(i) ? (Number.isFinite(x) ? x : String(x)) : null;
    }
  } else if (BIGINT_TYPES.has(id)) {
    for (let i = 0; i < n; i++) out[offset + i] = valid(i) ? String(items[i]) : null;
  } else {
    for (let i = 0; i < n; i++) out[offset + i] = valid(i) ? Number(items[i]) : null;
  }
}

/**
 * Reads up to `limit` rows of a result as JSON row objects. Same values as the library's
 * `getRowObjectsJson` (numbers, 64-bit integers and dates as text, NaN as text, duplicate column
 * names made unique), about four times faster for the flat numeric, date and text columns that
 * bars and most query results are made of: those are read from the vector's arrays, with the
 * validity mask tested as bytes instead of 64-bit integers.
 */
export async function readJsonRows(result: DuckDBResult, limit = Infinity): Promise<JsonRows> {
  const names = result.deduplicatedColumnNames();
  const types = result.columnTypes().map((t) => t.toString());
  const columns: unknown[][] = names.map(() => []);
  let count = 0;
  let truncated = false;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    if (count + chunk.rowCount > limit) truncated = true;
    for (let c = 0; c < names.length; c++) convertColumn(chunk, c, columns[c]!, count);
    count += chunk.rowCount;
    if (truncated) break;
  }
  const n = Math.min(count, limit);
  const rows = new Array<Record<string, unknown>>(n);
  for (let r = 0; r < n; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = columns[c]![r];
    rows[r] = row;
  }
  return { columns: names.map((name, i) => ({ name, type: types[i] ?? '' })), rows, truncated };
}
