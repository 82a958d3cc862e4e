import { open } from 'node:fs/promises';
import { skipLines, type CsvLineQuery, type CsvLines } from './csv-lines.js';

const NL = 0x0a;
const CR = 0x0d;
/** Bytes between two noted places: finding a line reads about this much. */
const BLOCK = 1 << 16;

/**
 * Where the lines of a decompressed CSV copy start, noted chunk by chunk while the copy is
 * written (`gunzipCopy`), and whether every record of it is one line. Then the lines and text of
 * the rows an import quarantines are found by reading a chunk or two, instead of scanning the
 * whole file after staging (decision 0015): the counting runs on the main thread while zlib
 * inflates the next chunk on another.
 */
export class LineIndex {
  /** Byte offset of each block (`BLOCK` bytes of a chunk) in the file. */
  private readonly offsets: number[] = [];
  /** Line breaks before each block. */
  private readonly breaks: number[] = [];
  private bytes = 0;
  private newlines = 0;
  private last = -1;
  /**
   * Whether no line is empty and no quote character appears: then each line is one record and
   * DuckDB's reader numbers the lines as a text editor does.
   */
  private plain = true;
  private quoted = false;
  private readonly quote: number;

  constructor(quote: string) {
    this.quote = quote.length === 1 ? quote.charCodeAt(0) : -1;
  }

  /** Notes the next chunk of the file. */
  add(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (!this.quoted && this.quote >= 0 && chunk.indexOf(this.quote) !== -1) this.quoted = true;
    if (
      this.plain &&
      (this.quoted ||
        chunk.indexOf('\n\n') !== -1 ||
        chunk.indexOf('\n\r') !== -1 ||
        // An empty line across two chunks, or at the start of the file.
        ((this.last === NL || this.last === -1) && (chunk[0] === NL || chunk[0] === CR)))
    ) {
      this.plain = false;
    }
    for (let at = 0; at < chunk.length; at += BLOCK) {
      this.offsets.push(this.bytes + at);
      this.breaks.push(this.newlines);
      this.newlines += skipLines(chunk.subarray(at, at + BLOCK), 0, Infinity)[0];
    }
    this.bytes += chunk.length;
    this.last = chunk[chunk.length - 1] ?? -1;
  }

  /**
   * Whether the file holds no quote character, so that no field of it holds a line break: a
   * line break outside quotes ends the record.
   */
  get unquoted(): boolean {
    return !this.quoted;
  }

  /**
   * The lines of the records `query` asks for, as `scanCsvLines` finds them, when every record is
   * one line and the file holds as many as the reader saw; otherwise undefined (scan the file).
   */
  async lines(file: string, query: CsvLineQuery): Promise<CsvLines | undefined> {
    const records = this.newlines + (this.bytes > 0 && this.last !== NL ? 1 : 0);
    if (!this.plain || records - query.headerLines !== query.records) return undefined;
    const rejected = [...new Set(query.rejectedLines)].sort((a, b) => a - b);
    const out: CsvLines = {
      accepted: new Map(),
      rejected: new Map(rejected.map((r) => [r, r])),
      text: new Map(),
    };
    const handle = await open(file, 'r');
    try {
      let ri = 0;
      let skipped = 0;
      for (const row of [...query.wanted].sort((a, b) => a - b)) {
        // The row's line: past the header and the rejected lines before it.
        while (ri < rejected.length && (rejected[ri] ?? 0) <= row + query.headerLines + skipped) {
          ri++;
          skipped++;
        }
        const line = row + query.headerLines + skipped;
        out.accepted.set(row, line);
        out.text.set(row, await this.readLine(handle, line));
      }
    } finally {
      await handle.close();
    }
    return out;
  }

  /** The text of a line (1-based), without its line terminator. */
  private async readLine(handle: Awaited<ReturnType<typeof open>>, line: number): Promise<string> {
    // The block holding the line break that ends line - 1.
    let c = 0;
    let lo = 0;
    let hi = this.breaks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.breaks[mid] ?? 0) < line - 1) {
        c = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let pos = line === 1 ? 0 : (this.offsets[c] ?? 0);
    let toSkip = line === 1 ? 0 : line - 1 - (this.breaks[c] ?? 0);
    let size = BLOCK * 2;
    const parts: Buffer[] = [];
    for (;;) {
      const buf = Buffer.alloc(size);
      const { bytesRead } = await handle.read(buf, 0, size, pos);
      const data = buf.subarray(0, bytesRead);
      const [skipped, lastBreak] = skipLines(data, 0, toSkip);
      toSkip -= skipped;
      const i = lastBreak + 1;
      if (toSkip > 0) {
        pos += bytesRead;
      } else {
        const end = data.indexOf(NL, i);
        parts.push(data.subarray(i, end === -1 ? data.length : end));
        if (end !== -1 || bytesRead < size) break;
        pos += bytesRead;
      }
      if (bytesRead === 0) break;
      size = Math.min(size * 2, 1 << 22);
    }
    return Buffer.concat(parts).toString('utf8').replace(/\r+$/, '');
  }
}
