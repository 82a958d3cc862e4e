/** Parquet physical types that the direct reader decodes. */
export type PhysicalType = 'BOOLEAN' | 'INT32' | 'INT64' | 'DOUBLE' | 'BYTE_ARRAY';

/** A Parquet feature the direct reader does not decode; the caller reads through DuckDB instead. */
export class UnsupportedParquetError extends Error {}

/** A raw value: number, bigint, string or boolean; null for NULL. */
export type RawValue = number | bigint | string | boolean | null;

/** Values stored in a page, read in place (only the few rows a point read needs are touched). */
export interface ValueStore {
  readonly length: number;
  get(i: number): RawValue;
}

type FixedType = 'DOUBLE' | 'INT32' | 'INT64';

/** How a fixed-width PLAIN value is read, by physical type. */
const FIXED: Record<FixedType, { width: number; read: (view: DataView, at: number) => RawValue }> =
  {
    DOUBLE: { width: 8, read: (view, at) => view.getFloat64(at, true) },
    INT32: { width: 4, read: (view, at) => view.getInt32(at, true) },
    INT64: { width: 8, read: (view, at) => view.getBigInt64(at, true) },
  };

/** Fixed-width little-endian values from `base` of a page. */
class FixedValues implements ValueStore {
  private readonly width: number;
  private readonly read: (view: DataView, at: number) => RawValue;
  constructor(
    type: FixedType,
    private readonly view: DataView,
    private readonly base: number,
    readonly length: number,
  ) {
    ({ width: this.width, read: this.read } = FIXED[type]);
  }
  get(i: number): RawValue {
    return this.read(this.view, this.base + this.width * i);
  }
}

class BooleanValues implements ValueStore {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly base: number,
    readonly length: number,
  ) {}
  get(i: number): boolean {
    return (((this.bytes[this.base + (i >> 3)] ?? 0) >> (i & 7)) & 1) === 1;
  }
}

const decoder = new TextDecoder('utf-8');

/** BYTE_ARRAY values, decoded as UTF-8 only when read. */
class TextValues implements ValueStore {
  private readonly cache: (string | undefined)[];
  constructor(
    private readonly bytes: Uint8Array,
    private readonly offsets: Int32Array,
    readonly length: number,
  ) {
    this.cache = new Array<string | undefined>(length);
  }
  get(i: number): string {
    let s = this.cache[i];
    if (s === undefined) {
      const start = this.offsets[2 * i]!;
      s = decoder.decode(this.bytes.subarray(start, start + this.offsets[2 * i + 1]!));
      this.cache[i] = s;
    }
    return s;
  }
}

export const EMPTY: ValueStore = { length: 0, get: () => null };

/** PLAIN values: `count` of them from `buf[pos..end)`. */
export function plainValues(
  physical: PhysicalType,
  buf: Uint8Array,
  pos: number,
  end: number,
  count: number,
): ValueStore {
  if (physical === 'BOOLEAN') return new BooleanValues(buf, pos, count);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (physical !== 'BYTE_ARRAY') {
    if (pos + FIXED[physical].width * count > end)
      throw new UnsupportedParquetError('truncated page');
    return new FixedValues(physical, view, pos, count);
  }
  const offsets = new Int32Array(2 * count);
  for (let i = 0; i < count; i++) {
    if (pos + 4 > end) throw new UnsupportedParquetError('truncated strings');
    const len = view.getUint32(pos, true);
    offsets[2 * i] = pos + 4;
    offsets[2 * i + 1] = len;
    pos += 4 + len;
  }
  if (pos > end) throw new UnsupportedParquetError('truncated strings');
  return new TextValues(buf, offsets, count);
}
