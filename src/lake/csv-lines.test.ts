import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { withTempDir } from '../../test/helpers/temp-dir.js';
import { scanCsvLines } from './csv-lines.js';

const text = [
  'a,b', // 1 header
  '1,x', // 2 row 1
  '', // 3 empty: skipped by the reader, counted in its line numbers
  '2,"multi', // 4 row 2 starts here ...
  'line"', // 5 ... and ends here: one line for the reader
  '3', // 6 rejected by the reader (its line 5)
  '\r', // 7 empty (CRLF)
  '4,y', // 8 row 3
].join('\n');

describe('CSV line scan', () => {
  it.each([
    ['plain', 'f.csv', (s: string) => Buffer.from(s)],
    ['gzip', 'f.csv.gz', (s: string) => gzipSync(s)],
  ] as const)(
    'maps reader rows and rejected lines to physical lines (%s)',
    async (_label, name, encode) => {
      await withTempDir(async (dir) => {
        const file = path.join(dir, name);
        writeFileSync(file, encode(text));
        const lines = await scanCsvLines(file, {
          quote: '"',
          headerLines: 1,
          wanted: new Set([1, 2, 3]),
          rejectedLines: [5],
          records: 4,
        });
        expect(lines).toEqual({
          accepted: new Map([
            [1, 2],
            [2, 4],
            [3, 8],
          ]),
          rejected: new Map([[5, 6]]),
          text: new Map([
            [1, '1,x'],
            [2, '2,"multi\nline"'],
            [3, '4,y'],
          ]),
        });
      });
    },
  );

  it('gives up (undefined) when its record count disagrees with the reader', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'f.csv');
      writeFileSync(file, text);
      expect(
        await scanCsvLines(file, {
          quote: '"',
          headerLines: 1,
          wanted: new Set([1]),
          rejectedLines: [],
          records: 7,
        }),
      ).toBeUndefined();
      // Without quote handling the quoted line break splits a record: 5 records instead of 4.
      expect(
        await scanCsvLines(file, {
          quote: '',
          headerLines: 1,
          wanted: new Set([1]),
          rejectedLines: [5],
          records: 4,
        }),
      ).toBeUndefined();
    });
  });

  it('keeps the record count across read chunks, where quoted values and CRLF lines straddle them', async () => {
    // 30,000 records (~700 KiB, a dozen stream chunks): every 7th value spans two lines inside
    // quotes, every 11th record ends in CRLF, and every 13th is followed by an empty line.
    const lines = ['id,note'];
    const starts: number[] = [];
    for (let r = 1; r <= 30_000; r++) {
      starts.push(lines.length + 1);
      if (r % 7 === 0) lines.push(`${r},"first half`, `second half of ${r}"`);
      else lines.push(`${r},note ${r}${r % 11 === 0 ? '\r' : ''}`);
      if (r % 13 === 0) lines.push('');
    }
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'big.csv.gz');
      writeFileSync(file, gzipSync(lines.join('\n')));
      const wanted = new Set([1, 7, 13, 14, 29_999, 30_000]);
      const found = await scanCsvLines(file, {
        quote: '"',
        headerLines: 1,
        wanted,
        rejectedLines: [],
        records: 30_000,
      });
      expect(found?.accepted).toEqual(new Map([...wanted].map((r) => [r, starts[r - 1]!])));
      // Every record's text, whichever chunks it straddles.
      const all = new Set(Array.from({ length: 30_000 }, (_, i) => i + 1));
      const texts = (
        await scanCsvLines(file, {
          quote: '"',
          headerLines: 1,
          wanted: all,
          rejectedLines: [],
          records: 30_000,
        })
      )?.text;
      expect(texts?.size).toBe(30_000);
      for (const r of all) {
        const expected = r % 7 === 0 ? `${r},"first half\nsecond half of ${r}"` : `${r},note ${r}`;
        if (texts?.get(r) !== expected) expect(texts?.get(r)).toBe(expected);
      }
    });
  });
});
