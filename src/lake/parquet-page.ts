import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { snappyUncompress } from 'hyparquet';
import type { parquetHeader } from 'hyparquet/src/column.js';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import { UnsupportedParquetError } from './parquet-values.js';

// The low-level binding decompresses into a caller's buffer; it is CommonJS without named exports.
// Loaded on the first zstd page, so processes that never read one do not load the addon.
let dctx: InstanceType<typeof ZstdBinding.DCtx> | undefined;
function zstdContext(): InstanceType<typeof ZstdBinding.DCtx> {
  dctx ??= new (
    createRequire(import.meta.url)('zstd-napi/binding.js') as typeof ZstdBinding
  ).DCtx();
  return dctx;
}

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
export class PageBody {
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
        if (zstdContext().decompress(out, this.input) !== this.size)
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

/** Where a data page's levels and values are, once its header is read. */
export interface PageParts {
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

export function pageParts(
  header: ReturnType<typeof parquetHeader>,
  body: Uint8Array,
  codec: string,
  maxDefinition: number,
  arena: PageArena,
): PageParts {
  if (header.type === 'DATA_PAGE' && header.data_page_header) {
    const page = new PageBody(codec, body, header.uncompressed_page_size, arena);
    let levelEnd = 0;
    if (maxDefinition > 0) {
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
        : new PageBody(codec, rest, header.uncompressed_page_size - levelEnd, arena);
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
