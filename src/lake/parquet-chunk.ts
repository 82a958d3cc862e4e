import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { snappyUncompress } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import type * as ZstdBinding from 'zstd-napi/binding.js';

// The low-level binding decompresses into a caller's buffer; it is CommonJS without named exports.
const zstd = createRequire(import.meta.url)('zstd-napi/binding.js') as typeof ZstdBinding;

/** Parquet physical types that the direct reader decodes. */
export type PhysicalType = 'BOOLEAN' | 'INT32' | 'INT64' | 'DOUBLE' | 'BYTE_ARRAY';

/** Where one column chunk of a row group lies in its file, and how it is stored. */
export interface ChunkLocation {
  start: number;
  length: number;
  codec: string;
  physical: PhysicalType;
  /** 1 for a nullable (OPTIONAL) flat column, 0 for a REQUIRED one. */
  maxDefinition: number;
  rows: number;
}

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

const EMPTY: ValueStore = { length: 0, get: () => null };

/** PLAIN values: `count` of them from `buf[pos..end)`. */
function plainValues(
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

const dctx = new zstd.DCtx();

/**
 * Buffers for decompressed pages, reused from one row group to the next: a point read touches
 * tens of pages of about 128 KiB, and fresh buffers for each would keep the collector busy.
 * `reset` marks them free again once nothing refers to the previous row group's values.
 */
export class PageArena {
  private readonly buffers: Buffer[] = [];
  private used = 0;

  take(size: number): Buffer {
    let buf = this.buffers[this.used];
    if (!buf || buf.length < size) {
      buf = Buffer.allocUnsafeSlow(Math.max(size, 64 * 1024));
      this.buffers[this.used] = buf;
    }
    this.used++;
    return buf.subarray(0, size);
  }

  reset(): void {
    this.used = 0;
  }
}

/** A compressed page body, decompressed when first read. */
class PageBody {
  private out: Uint8Array | undefined;

  constructor(
    private readonly codec: string,
    private readonly input: Uint8Array,
    private readonly size: number,
    private readonly arena: PageArena,
  ) {}

  bytes(): Uint8Array {
    this.out ??= this.decompress();
    return this.out;
  }

  private decompress(): Uint8Array {
    switch (this.codec) {
      case 'UNCOMPRESSED':
        return this.input;
      case 'ZSTD': {
        const out = this.arena.take(this.size);
        if (dctx.decompress(out, this.input) !== this.size)
          throw new UnsupportedParquetError('zstd page of another size than its header says');
        return out;
      }
      case 'SNAPPY': {
        const out = new Uint8Array(this.size);
        snappyUncompress(this.input, out);
        return out;
      }
      case 'GZIP':
        return gunzipSync(this.input);
      default:
        throw new UnsupportedParquetError(`codec ${this.codec}`);
    }
  }
}

/** Reads an unsigned LEB128 varint; returns [value, next position]. */
function varint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new UnsupportedParquetError('truncated varint');
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, pos];
    shift += 7;
  }
}

/**
 * Decodes `count` values of the RLE / bit-packed hybrid encoding (bit width `width`, at most 24)
 * from `buf[pos..end)` into `out[at..]`.
 */
export function readHybrid(
  buf: Uint8Array,
  pos: number,
  end: number,
  width: number,
  out: Int32Array,
  at: number,
  count: number,
): void {
  if (width > 24) throw new UnsupportedParquetError(`bit width ${width}`);
  const stop = at + count;
  const mask = (1 << width) - 1;
  const bytes = (width + 7) >> 3;
  let i = at;
  while (i < stop) {
    if (pos >= end) throw new UnsupportedParquetError('truncated RLE data');
    let header: number;
    [header, pos] = varint(buf, pos);
    if (header % 2 === 1) {
      const values = Math.floor(header / 2) * 8;
      let acc = 0;
      let bits = 0;
      for (let k = 0; k < values; k++) {
        while (bits < width) {
          acc |= (buf[pos++] ?? 0) << bits;
          bits += 8;
        }
        if (i < stop) out[i++] = acc & mask;
        acc >>>= width;
        bits -= width;
      }
    } else {
      const run = Math.floor(header / 2);
      let value = 0;
      for (let b = 0; b < bytes; b++) value |= (buf[pos++] ?? 0) << (8 * b);
      out.fill(value, i, Math.min(stop, i + run));
      i += run;
    }
  }
}

/** The value of a 1-bit hybrid run covering all `count` levels, or -1 when they vary. */
function constantLevel(buf: Uint8Array, pos: number, end: number, count: number): number {
  if (pos >= end) return -1;
  const [header, next] = varint(buf, pos);
  return header % 2 === 0 && header / 2 >= count ? (buf[next] ?? 0) & 1 : -1;
}

/**
 * One data page: rows `first .. first + rows` of the chunk. `slot[r]` is row r's position in
 * `store` (-1 for NULL); a null `slot` means row r is value r.
 */
interface DecodedPage {
  first: number;
  rows: number;
  store: ValueStore;
  slot: Int32Array | null;
}

/** A decoded column chunk, possibly only up to some row. */
export interface DecodedChunk {
  rows: number;
  pages: DecodedPage[];
  /** The chunk's dictionary when every page is dictionary-encoded. */
  dictionary: ValueStore | undefined;
}

/** The raw value of `row`. */
export function valueAt(chunk: DecodedChunk, row: number): RawValue {
  const pages = chunk.pages;
  let page = pages[0]!;
  if (pages.length > 1) {
    for (let p = pages.length - 1; p >= 0; p--) {
      if (pages[p]!.first <= row) {
        page = pages[p]!;
        break;
      }
    }
  }
  const local = row - page.first;
  if (local >= page.rows) throw new RangeError(`row ${row} was not decoded`);
  const pos = page.slot ? page.slot[local]! : local;
  return pos < 0 ? null : page.store.get(pos);
}

/** Where a data page's levels and values are, once its header is read. */
interface PageParts {
  count: number;
  encoding: string;
  /** Bytes holding the definition levels (already decompressed in a v2 page). */
  levels: () => Uint8Array;
  levelStart: number;
  levelEnd: number;
  /** The page's values section (decompressed on first use). */
  values: () => Uint8Array;
  valueStart: number;
}

function pageParts(
  header: ReturnType<typeof parquetHeader>,
  body: Uint8Array,
  chunk: ChunkLocation,
  arena: PageArena,
): PageParts {
  if (header.type === 'DATA_PAGE' && header.data_page_header) {
    const page = new PageBody(chunk.codec, body, header.uncompressed_page_size, arena);
    let levelEnd = 0;
    if (chunk.maxDefinition > 0) {
      const head = page.bytes();
      levelEnd = 4 + new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
    }
    return {
      count: header.data_page_header.num_values,
      encoding: header.data_page_header.encoding,
      levels: () => page.bytes(),
      levelStart: 4,
      levelEnd,
      values: () => page.bytes(),
      valueStart: levelEnd,
    };
  }
  if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2) {
    const h2 = header.data_page_header_v2;
    if (h2.repetition_levels_byte_length > 0)
      throw new UnsupportedParquetError('repetition levels');
    const levelEnd = h2.definition_levels_byte_length;
    const rest = body.subarray(levelEnd);
    const page =
      h2.is_compressed === false
        ? new PageBody('UNCOMPRESSED', rest, rest.length, arena)
        : new PageBody(chunk.codec, rest, header.uncompressed_page_size - levelEnd, arena);
    return {
      count: h2.num_values,
      encoding: h2.encoding,
      levels: () => body,
      levelStart: 0,
      levelEnd,
      values: () => page.bytes(),
      valueStart: 0,
    };
  }
  throw new UnsupportedParquetError(`page type ${header.type}`);
}

/**
 * Decodes a flat column chunk (a dictionary page, then data pages v1 or v2 with PLAIN or
 * dictionary values) from `bytes`, which hold the chunk at `chunk.start - base`, as far as row
 * `rowsNeeded - 1` (later pages are skipped). Page bytes come from `arena`: the values are read
 * in place, so they are valid until the arena is reset.
 */
export function decodeChunk(
  bytes: Uint8Array,
  base: number,
  chunk: ChunkLocation,
  arena: PageArena,
  rowsNeeded = chunk.rows,
): DecodedChunk {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = { view, offset: chunk.start - base };
  const end = reader.offset + chunk.length;
  const pages: DecodedPage[] = [];
  let dictionary: ValueStore | undefined;
  let plainPages = false;
  let row = 0;
  while (reader.offset < end && row < rowsNeeded) {
    const header = parquetHeader(reader);
    const bodyStart = reader.offset;
    const body = bytes.subarray(bodyStart, bodyStart + header.compressed_page_size);
    reader.offset = bodyStart + header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      const dh = header.dictionary_page_header;
      if (!dh || dictionary) throw new UnsupportedParquetError('second dictionary page');
      const size = header.uncompressed_page_size;
      const page = new PageBody(chunk.codec, body, size, arena).bytes();
      dictionary = plainValues(chunk.physical, page, 0, size, dh.num_values);
      continue;
    }
    const parts = pageParts(header, body, chunk, arena);
    const count = parts.count;
    if (row + count > chunk.rows) throw new UnsupportedParquetError('more values than rows');
    const take = Math.min(count, rowsNeeded - row);
    // Definition levels: 1 = a value, 0 = NULL (flat columns only); mostly one run.
    let level = chunk.maxDefinition > 0 ? -2 : 1;
    let slot: Int32Array | null = null;
    let present = take;
    if (level === -2) {
      const levels = parts.levels();
      level = constantLevel(levels, parts.levelStart, parts.levelEnd, count);
      if (level === -1) {
        slot = new Int32Array(take);
        readHybrid(levels, parts.levelStart, parts.levelEnd, 1, slot, 0, take);
        present = 0;
        for (let i = 0; i < take; i++) slot[i] = slot[i] === 1 ? present++ : -1;
      } else if (level === 0) {
        present = 0;
        slot = new Int32Array(take).fill(-1);
      }
    }
    let store: ValueStore = EMPTY;
    const dictionaryEncoded =
      parts.encoding === 'PLAIN_DICTIONARY' || parts.encoding === 'RLE_DICTIONARY';
    if (present > 0 && dictionaryEncoded) {
      if (!dictionary || plainPages)
        throw new UnsupportedParquetError('dictionary data without dictionary');
      // The ids of present values: one byte of bit width, then the hybrid runs.
      const values = parts.values();
      const width = values[parts.valueStart] ?? 0;
      const ids = new Int32Array(present);
      readHybrid(values, parts.valueStart + 1, values.length, width, ids, 0, present);
      if (slot) {
        for (let i = 0; i < take; i++) if (slot[i]! >= 0) slot[i] = ids[slot[i]!]!;
      } else {
        slot = ids;
      }
      store = dictionary;
    } else if (present > 0 && parts.encoding === 'PLAIN') {
      if (dictionary) throw new UnsupportedParquetError('PLAIN pages after a dictionary');
      plainPages = true;
      const values = parts.values();
      store = plainValues(chunk.physical, values, parts.valueStart, values.length, present);
    } else if (present > 0) {
      throw new UnsupportedParquetError(`encoding ${parts.encoding}`);
    }
    pages.push({ first: row, rows: take, store, slot });
    row += count;
  }
  if (row < Math.min(rowsNeeded, chunk.rows))
    throw new UnsupportedParquetError('fewer values than rows');
  return {
    rows: Math.min(row, rowsNeeded),
    pages,
    dictionary: plainPages ? undefined : dictionary,
  };
}
