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

  it.each([
    ['plain', 'big.csv', (t: string) => Buffer.from(t)],
    ['gzip', 'big.csv.gz', (t: string) => gzipSync(t)],
  ] as const)(
    'counts unquoted lines between targets in bulk, and agrees with a line-by-line reading (%s)',
    async (_label, name, encode) => {
      // ~5 MiB of unquoted records: CRLF and empty lines in some stretches only, so some 1 MiB
      // chunks are counted in bulk and others read line by line.
      const lines = ['id,note'];
      for (let r = 1; r <= 200_000; r++) {
        const stretch = Math.floor(r / 20_000);
        lines.push(`${r},note number ${r}${stretch === 3 ? '\r' : ''}`);
        if (stretch === 5 && r % 1_000 === 0) lines.push(r % 2000 === 0 ? '' : '\r');
      }
      // The reader's view, line by line: records, empty lines counted in its numbering.
      const reference = { accepted: new Map<number, number>(), text: new Map<number, string>() };
      const readerLineOf = new Map<number, number>();
      let readerLine = 0;
      let records = 0;
      lines.forEach((line, i) => {
        readerLine++;
        const value = line.replace(/\r+$/, '');
        if (value === '') return;
        if (++records > 1) {
          reference.accepted.set(records - 1, i + 1);
          reference.text.set(records - 1, value);
          readerLineOf.set(records - 1, readerLine);
        }
      });
      const rejectedRows = [50_001, 150_003, 199_999];
      const rejectedLines = rejectedRows.map((r) => readerLineOf.get(r)!);
      // Targets spread over every chunk (some on neighbouring lines, some next to rejected
      // lines), so lines are counted in bulk between them, across chunk ends.
      const wanted = new Set([1, 2, 50_000, 50_002, 110_000, 199_998, 200_000]);
      for (let r = 997; r < 200_000; r += 1_999) if (!rejectedRows.includes(r)) wanted.add(r);
      await withTempDir(async (dir) => {
        const file = path.join(dir, name);
        writeFileSync(file, encode(lines.join('\n') + '\n'));
        const found = await scanCsvLines(file, {
          quote: '"',
          headerLines: 1,
          wanted: new Set([...wanted].map((r) => r - rejectedRows.filter((x) => x < r).length)),
          rejectedLines,
          records: 200_000,
        });
        expect(found?.rejected).toEqual(
          new Map(rejectedRows.map((r, k) => [rejectedLines[k]!, reference.accepted.get(r)!])),
        );
        // Accepted indexes skip the rejected rows.
        const expected = [...wanted]
          .sort((a, b) => a - b)
          .map((r) => {
            const index = r - rejectedRows.filter((x) => x < r).length;
            return [index, reference.accepted.get(r)!, reference.text.get(r)!] as const;
          });
        expect([...(found?.accepted ?? [])].map(([k, v]) => [k, v, found?.text.get(k)])).toEqual(
          expected,
        );
      });
    },
  );
});
