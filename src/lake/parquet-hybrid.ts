import { UnsupportedParquetError } from './parquet-values.js';

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
export function constantLevel(buf: Uint8Array, pos: number, end: number, count: number): number {
  if (pos >= end) return -1;
  const [header, next] = varint(buf, pos);
  return header % 2 === 0 && header / 2 >= count ? (buf[next] ?? 0) & 1 : -1;
}
