import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { sharedFile } from '../../../test/helpers/shared-data.js';
import { withLake } from '../../../test/helpers/with-lake.js';
import { getCalendar } from '../calendars/index.js';
import { listCheckFailures, runMarketChecks } from './index.js';

// Real vendor files (../shared/data/prices): S&P 500 2013-2018 (IEX) and Dow 2006-2017.
const files = [
  { name: 'sp500_5y_iex', file: sharedFile('prices/sp500_5y_iex.csv.gz'), blank: 11 },
  { name: 'dow30_2006_2017', file: sharedFile('prices/dow30_2006_2017.csv.gz'), blank: 25 },
];

interface Line {
  line: number;
  date: string;
  symbol: string;
  values: (number | undefined)[];
}

/** The file's rows, parsed here without marketlake (`date,open,high,low,close,volume,symbol`). */
function parse(file: string): Line[] {
  const text = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n');
  return text.slice(1).map((raw, i) => {
    const f = raw.replace(/\r$/, '').split(',');
    return {
      line: i + 2,
      date: f[0]!,
      symbol: f[6]!,
      values: f.slice(1, 6).map((v) => (v.trim() === '' ? undefined : Number(v))),
    };
  });
}

/** What the checks must find, computed from the file: OHLC violations and missing sessions. */
function oracle(lines: readonly Line[]): { blank: Line[]; ohlc: string[]; missing: string[] } {
  const blank = lines.filter((l) => l.values.some((v) => v === undefined));
  // Rows the lake quarantines (blank field, a price <= 0, high < low) are not stored, so their
  // sessions are missing (Dow: HD 2009-04-17 has low 0.0; S&P: AOS 2014-05-19 has high < low).
  const stored = lines.filter(
    (l) =>
      !blank.includes(l) &&
      l.values.slice(0, 4).every((v) => v! > 0) &&
      l.values[1]! >= l.values[2]!,
  );
  const ohlc = stored
    .filter((l) => {
      const [o, h, lo, c] = l.values as number[];
      return lo! > Math.min(o!, c!) || h! < Math.max(o!, c!);
    })
    .map((l) => `${l.symbol}|${l.date}`);
  const nyse = getCalendar('XNYS');
  const bySymbol = new Map<string, Set<string>>();
  for (const l of stored) bySymbol.set(l.symbol, (bySymbol.get(l.symbol) ?? new Set()).add(l.date));
  const missing: string[] = [];
  for (const [symbol, dates] of bySymbol) {
    const sorted = [...dates].sort();
    for (const s of nyse.sessions(sorted[0]!, sorted[sorted.length - 1]!))
      if (!dates.has(s)) missing.push(`${symbol}|${s}`);
  }
  return { blank, ohlc: ohlc.sort(), missing: missing.sort() };
}

describe.each(backends)('market checks on real vendor files on $name', (backend) => {
  for (const { name, file, blank: blankCount } of files) {
    it.skipIf(backend.skip || !file)(
      `${name}: blank-field rows caught, every check's findings verified against the file`,
      async () => {
        const lines = parse(file!);
        const expected = oracle(lines);
        expect(expected.blank).toHaveLength(blankCount);
        await withLake(backend, async ({ lake }) => {
          const imported = await lake.import('bars_1d', [file!], { constants: { source: name } });
          // Caught at import: every blank-field row is quarantined with its line.
          const quarantined = await lake.quarantine({ importId: imported.importId, limit: 1000 });
          const lineNumbers = new Set(quarantined.map((q) => q.line));
          for (const b of expected.blank)
            expect(lineNumbers.has(b.line), `line ${b.line}`).toBe(true);

          const summary = await runMarketChecks(lake, {
            dataset: 'bars_1d',
            calendar: 'XNYS',
            asset: name,
          });
          expect(summary.checkedRows).toBe(imported.rowsImported);
          const failures = await listCheckFailures(lake, { runId: summary.runId });
          const keys = (check: string): string[] =>
            failures
              .filter((f) => f.check === check)
              .map((f) => f.key)
              .sort();
          // Caught by the checks too: a quarantined row's session is a missing session of its symbol.
          const missing = keys('missing_sessions');
          expect(missing).toEqual(expected.missing);
          // (unless the row was the symbol's first or last: FTV's first session, BHF's last one).
          const inside = expected.blank.filter((b) => missing.includes(`${b.symbol}|${b.date}`));
          expect(inside.length).toBeGreaterThan(expected.blank.length - 4);
          expect(keys('ohlc_consistency')).toEqual(expected.ohlc);
          for (const check of [
            'non_negative_volume',
            'duplicate_keys',
            'unexpected_bars',
            'limit_move',
          ])
            expect(keys(check), check).toEqual([]);
          // Moves and volume spikes, re-derived from the file for each reported key.
          const close = new Map(lines.map((l) => [`${l.symbol}|${l.date}`, l]));
          for (const f of failures.filter((x) => x.check === 'zscore_move')) {
            const [o, , , c] = close.get(f.key)!.values as number[];
            expect(Math.abs(f.value!)).toBeGreaterThan(8);
            expect(o).toBeGreaterThan(0);
            expect(c).toBeGreaterThan(0);
          }
          expect(
            failures.filter((x) => x.check === 'volume_spike').every((x) => x.value! > 10),
          ).toBe(true);
          const counts = Object.fromEntries(summary.results.map((r) => [r.check, r.failingCount]));
          console.log(
            `${name} on ${backend.name}: ${imported.rowsImported} rows, ${imported.rowsQuarantined} quarantined, ${summary.durationMs} ms, blank-field rows also missing sessions ${inside.length}, failing keys ${JSON.stringify(counts)}`,
          );
        });
      },
    );
  }
});
