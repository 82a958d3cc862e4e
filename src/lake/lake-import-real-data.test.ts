import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { sharedFile } from '../../test/helpers/shared-data.js';
import { withLake } from '../../test/helpers/with-lake.js';
import type { QuarantinedRow } from './index.js';

// Reference data from ../shared/data; missing outside CI means skipped (and said so), in CI a failure.
const dow30 = sharedFile('prices/dow30_2006_2017.csv.gz');
const sp500 = sharedFile('prices/sp500_5y_iex.csv.gz');

/** The file's lines, decompressed by Node (independently of DuckDB); line N is `lines[N - 1]`. */
function fileLines(file: string): string[] {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

/**
 * What is wrong with a `date,open,high,low,close,volume,symbol` line by bars_1d's rules, judged
 * here without the lake's code: blank or non-numeric fields, non-positive prices, negative volume,
 * high < low.
 */
function problems(line: string): string[] {
  const f = line.split(',');
  if (f.length !== 7) return [`${f.length} fields`];
  const [date, ...rest] = f;
  const symbol = rest[5]!;
  const out: string[] = [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date!)) out.push('date');
  if (symbol.trim() === '') out.push('symbol blank');
  const names = ['open', 'high', 'low', 'close', 'volume'];
  const values = rest.slice(0, 5).map((v, i) => {
    if (v.trim() === '') out.push(`${names[i]} blank`);
    else if (!Number.isFinite(Number(v))) out.push(`${names[i]} not a number`);
    return v.trim() === '' ? undefined : Number(v);
  });
  const [open, high, low, close, volume] = values;
  if ([open, high, low, close].some((p) => p !== undefined && p <= 0)) out.push('price <= 0');
  if (volume !== undefined && volume < 0) out.push('negative volume');
  if (high !== undefined && low !== undefined && high < low) out.push('high < low');
  return out;
}

/** Line numbers (1-based, header is line 1) of the data lines that break the rules or repeat a key. */
function badLines(lines: readonly string[]): Map<number, string[]> {
  const bad = new Map<number, string[]>();
  const seen = new Map<string, number>();
  lines.forEach((line, i) => {
    if (i === 0) return;
    const p = problems(line);
    if (p.length > 0) bad.set(i + 1, p);
    const f = line.split(',');
    const key = `${f[6]}|${f[0]}`;
    const first = seen.get(key);
    if (first !== undefined) {
      bad.set(first, [...(bad.get(first) ?? []), 'duplicate']);
      bad.set(i + 1, [...(bad.get(i + 1) ?? []), 'duplicate']);
    } else seen.set(key, i + 1);
  });
  return bad;
}

/** What the lake's reason must say for an independently found problem. */
function expectedReason(problem: string): string {
  if (problem.endsWith(' blank')) return `${problem.split(' ')[0]} is blank`;
  if (problem === 'price <= 0') return 'a price is zero or negative';
  if (problem === 'negative volume') return 'volume is negative';
  if (problem === 'high < low') return 'high < low';
  if (problem === 'duplicate') return 'duplicate key';
  return problem;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function checkQuarantine(
  quarantined: QuarantinedRow[],
  lines: readonly string[],
  file: string,
): void {
  const expected = badLines(lines);
  expect(quarantined.map((q) => q.line).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
    [...expected.keys()].sort((a, b) => a - b),
  );
  for (const q of quarantined) {
    const line = q.line!;
    // The reported line of the file is the offending row itself ...
    expect(q.sourceFile).toBe(file);
    expect(q.raw, `line ${line}`).toBe(lines[line - 1]);
    // ... and it is invalid for the reason given.
    for (const problem of expected.get(line)!)
      expect(q.reason, `line ${line}: ${lines[line - 1]}`).toContain(expectedReason(problem));
  }
}

describe.each(backends)('import of real vendor files on $name', (backend) => {
  it.skipIf(backend.skip || !dow30)(
    'imports dow30_2006_2017.csv.gz: blank-field rows quarantined by line, the rest land',
    async () => {
      const file = dow30!;
      const lines = fileLines(file);
      const dataLines = lines.length - 1;
      expect(dataLines).toBe(93_612);
      const hash = sha256(file);
      await withLake(backend, async ({ lake }) => {
        const result = await lake.import('bars_1d', [file]);
        const quarantined = await lake.quarantine({ importId: result.importId, limit: 10_000 });
        expect(result.rowsQuarantined).toBe(quarantined.length);
        expect(result.rowsImported + result.rowsQuarantined).toBe(dataLines);
        checkQuarantine(quarantined, lines, file);

        // Every row with a blank field (25 of them) is among the quarantined, with its line.
        const blank = lines
          .map((l, i) => [i + 1, l] as const)
          .filter(([n, l]) => n > 1 && l.split(',').some((f) => f === ''));
        expect(blank).toHaveLength(25);
        const byLine = new Map(quarantined.map((q) => [q.line, q]));
        for (const [n] of blank) expect(byLine.get(n)?.reason, `line ${n}`).toMatch(/is blank/);
        expect(byLine.get(11_972)).toMatchObject({
          raw: '2017-07-31,,85.7,,85.23,3079797,AXP',
          reason: 'open is blank; low is blank',
        });

        const stats = await lake.query(
          'SELECT count(*)::INTEGER AS n, count(DISTINCT symbol)::INTEGER AS symbols, min(date) AS first, max(date) AS last FROM bars_1d',
        );
        expect(stats.rows).toEqual([
          { n: result.rowsImported, symbols: 31, first: '2006-01-03', last: '2017-12-29' },
        ]);
        expect((await lake.files('bars_1d')).map((f) => f.partition)).toEqual(
          Array.from({ length: 12 }, (_, i) => `year=${2006 + i}`),
        );
      });
      expect(sha256(file)).toBe(hash);
    },
  );

  it.skipIf(backend.skip || !sp500)(
    'imports sp500_5y_iex.csv.gz: 619,040 rows, blank open/high/low quarantined, dotted symbols readable',
    async () => {
      const file = sp500!;
      const lines = fileLines(file);
      expect(lines.length - 1).toBe(619_040);
      await withLake(backend, async ({ lake }) => {
        const result = await lake.import('bars_1d', [file]);
        const quarantined = await lake.quarantine({ importId: result.importId, limit: 10_000 });
        expect(result.rowsImported + result.rowsQuarantined).toBe(619_040);
        checkQuarantine(quarantined, lines, file);
        const blankOhl = quarantined.filter((q) => /open is blank/.test(q.reason));
        expect(blankOhl).toHaveLength(11);

        const counts = await lake.query(
          'SELECT count(*)::INTEGER AS n, count(DISTINCT symbol)::INTEGER AS symbols FROM bars_1d',
        );
        expect(counts.rows).toEqual([{ n: result.rowsImported, symbols: 505 }]);

        for (const symbol of ['BRK.B', 'BF.B']) {
          const expectedDates = lines
            .filter((l) => l.endsWith(`,${symbol}`))
            .map((l) => l.slice(0, 10));
          expect(expectedDates).toHaveLength(1259);
          const got = await lake.read('bars_1d', { where: { symbol } });
          expect(got.rows.every((r) => r['symbol'] === symbol)).toBe(true);
          expect(got.rows.map((r) => r['date'])).toEqual([...expectedDates].sort());
        }
        // A symbol's read is served from the Parquet files directly; DuckDB agrees on every column.
        for (const symbol of ['BRK.B', 'AAPL', 'ZTS']) {
          const viaDuckDb = await lake.query(
            `SELECT * FROM bars_1d WHERE symbol = '${symbol}' ORDER BY symbol, date`,
          );
          expect(viaDuckDb.rows.length).toBeGreaterThan(1000);
          expect((await lake.read('bars_1d', { where: { symbol } })).rows).toEqual(viaDuckDb.rows);
        }
        const first = await lake.read('bars_1d', { where: { symbol: 'BRK.B' }, limit: 1 });
        const line = lines
          .find((l) => l.startsWith('2013-02-08,') && l.endsWith(',BRK.B'))!
          .split(',');
        expect(first.rows[0]).toMatchObject({
          date: '2013-02-08',
          open: Number(line[1]),
          high: Number(line[2]),
          low: Number(line[3]),
          close: Number(line[4]),
          volume: Number(line[5]),
        });
      });
    },
  );
});
