import { parquetHeader } from 'hyparquet/src/column.js';
import { constantLevel, readHybrid } from './parquet-hybrid.js';
import { PageBody, pageParts, type PageArena, type PageParts } from './parquet-page.js';
import {
  EMPTY,
  plainValues,
  UnsupportedParquetError,
  type PhysicalType,
  type RawValue,
  type ValueStore,
} from './parquet-values.js';

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

/**
 * The first `take` rows' positions among a page's values from its definition levels (1 = a value,
 * 0 = NULL; flat columns only), and how many have a value. Mostly the levels are one run: all
 * values (no slots needed) or all NULL.
 */
function definedSlots(
  parts: PageParts,
  count: number,
  take: number,
): { slot: Int32Array | null; present: number } {
  const levels = parts.levels();
  const level = constantLevel(levels, parts.levelStart, parts.levelEnd, count);
  if (level === 1) return { slot: null, present: take };
  if (level === 0) return { slot: new Int32Array(take).fill(-1), present: 0 };
  const slot = new Int32Array(take);
  readHybrid(levels, parts.levelStart, parts.levelEnd, 1, slot, 0, take);
  let present = 0;
  for (let i = 0; i < take; i++) slot[i] = slot[i] === 1 ? present++ : -1;
  return { slot, present };
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
    const parts = pageParts(header, body, chunk.codec, chunk.maxDefinition, arena);
    const count = parts.count;
    if (row + count > chunk.rows) throw new UnsupportedParquetError('more values than rows');
    const take = Math.min(count, rowsNeeded - row);
    const defined =
      chunk.maxDefinition > 0 ? definedSlots(parts, count, take) : { slot: null, present: take };
    const present = defined.present;
    let slot = defined.slot;
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
