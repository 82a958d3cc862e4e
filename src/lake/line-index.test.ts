import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../bench/lib/random.js';
import { withTempDir } from '../../test/helpers/temp-dir.js';
import { scanCsvLines, type CsvLineQuery } from './csv-lines.js';
import { LineIndex } from './line-index.js';

/** Feeds `text` to an index in chunks of the given sizes (cycled), as a stream would. */
function indexOf(text: Buffer, sizes: readonly number[]): LineIndex {
  const index = new LineIndex('"');
  let at = 0;
  for (let k = 0; at < text.length; k++) {
    const size = sizes[k % sizes.length] ?? text.length;
    index.add(text.subarray(at, at + size));
    at += size;
  }
  return index;
}

describe('line index of a decompressed copy', () => {
  it('finds the lines and text the full scan finds, whatever the chunks (CRLF, rejected lines, long lines)', async () => {
    // 60,000 records; every 17th ends in CRLF; record 33,333 is 300 KiB long (several blocks);
    // the last line has no line break.
    const lines = ['date,open,symbol'];
    for (let r = 1; r <= 60_000; r++) {
      const note = r === 33_333 ? 'x'.repeat(300 * 1024) : String(r * 7);
      lines.push(`2024-01-02,${note},S${r}${r % 17 === 0 ? '\r' : ''}`);
    }
    const text = Buffer.from(lines.join('\n'));
    // The reader rejected the lines of records 10 and 40,000 (its line = the file's line here).
    const rejectedLines = [11, 40_001];
    const query: CsvLineQuery = {
      quote: '"',
      headerLines: 1,
      // Accepted indexes (rejected records skipped): first, around the rejected ones, the long
      // one, last.
      wanted: new Set([1, 9, 10, 11, 17, 33_332, 39_998, 39_999, 40_000, 59_998]),
      rejectedLines,
      records: 60_000,
    };
    const draw = mulberry32(42);
    const ragged = Array.from({ length: 200 }, () => 1 + Math.floor(draw() * 200_000));
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'copy.csv');
      writeFileSync(file, text);
      const scanned = await scanCsvLines(file, query);
      expect(scanned?.accepted.get(10)).toBe(12);
      expect(scanned?.text.get(59_998)).toBe(lines[60_000]);
      expect(scanned?.text.get(33_332)).toBe(lines[33_333]);
      for (const sizes of [[1 << 20], [1 << 16], [65_537, 3], ragged]) {
        expect(await indexOf(text, sizes).lines(file, query)).toEqual(scanned);
      }
    });
  });

  // Each file has as many lines as the reader is said to have seen records, so only the index's
  // own look at the text can tell that lines and records differ.
  it.each([
    ['a quote character', 'a,b\n1,"x"\n2,y\n', [1 << 20]],
    ['an empty line', 'a,b\n1,x\n\n2,y\n', [1 << 20]],
    ['an empty CRLF line', 'a,b\r\n1,x\r\n\r\n2,y\r\n', [1 << 20]],
    ['an empty line across two chunks', 'a,b\n1,x\n\n2,y\n', [8, 100]],
    ['an empty CRLF line across two chunks', 'a,b\r\n1,x\r\n\r\n2,y\r\n', [10, 100]],
    ['an empty first line', '\na,b\n1,x\n2,y\n', [1 << 20]],
  ] as const)('leaves the file to the full scan when it holds %s', async (_label, text, sizes) => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'copy.csv');
      writeFileSync(file, text);
      const query = {
        quote: '"',
        headerLines: 1,
        wanted: new Set([2]),
        rejectedLines: [],
        records: text.split('\n').length - 2,
      };
      expect(await indexOf(Buffer.from(text), sizes).lines(file, query)).toBeUndefined();
    });
  });

  it('leaves the file to the full scan when its record count is not the reader’s', async () => {
    await withTempDir(async (dir) => {
      const text = 'a,b\n1,x\n2,y';
      const file = path.join(dir, 'copy.csv');
      writeFileSync(file, text);
      const query = { quote: '"', headerLines: 1, wanted: new Set([2]), rejectedLines: [] };
      const index = indexOf(Buffer.from(text), [1 << 20]);
      expect(await index.lines(file, { ...query, records: 3 })).toBeUndefined();
      expect(await index.lines(file, { ...query, records: 2 })).toEqual({
        accepted: new Map([[2, 3]]),
        rejected: new Map(),
        text: new Map([[2, '2,y']]),
      });
    });
  });
});
