import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay } from '../../core/index.js';
import { DEMO_FEEDS } from './feeds.js';
import { generateDemoMarket } from './generate.js';
import { SPIKE_FACTOR, STALE_RUN_SESSIONS } from './planted-errors.js';
import type { DemoMarket } from './types.js';
import { writeDemoFiles, type DemoWriteResult } from './write-files.js';

/*
 * The vendor files: byte-identical for a seed, importable columns, the planted errors exactly
 * where the market lists them and nowhere else, and the same rows in the daily as in the history
 * layout.
 */

const scratch = mkdtempSync(path.join(tmpdir(), 'marketlake-demo-files-'));
let market: DemoMarket;
let written: DemoWriteResult;

beforeAll(async () => {
  market = generateDemoMarket({ seed: 42, years: 2, from: '2023-01-01' });
  written = await writeDemoFiles(market, path.join(scratch, 'a'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function digest(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(path.join(dir, f)))
          .digest('hex'),
      ]),
  );
}

/** Bar rows of every bars file in `dir`: file, fields by header name, the raw line. */
function barRows(dir: string): { file: string; row: Record<string, string>; line: string }[] {
  const out: { file: string; row: Record<string, string>; line: string }[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!/^(us-eod|krx-daily|crypto-daily|fx-daily)-/.test(file)) continue;
    const [header, ...lines] = readFileSync(path.join(dir, file), 'utf8').trimEnd().split('\n');
    const names = header!.split(',');
    for (const line of lines) {
      const fields = line.split(',');
      out.push({ file, row: Object.fromEntries(names.map((n, i) => [n, fields[i] ?? ''])), line });
    }
  }
  return out;
}

const iso = (date: string): string =>
  date.length === 8 ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : date;

describe('writeDemoFiles', () => {
  it('writes a few files per year: bars per market, corporate actions, instruments, readme', () => {
    const names = written.files.map((f) => path.basename(f.path)).sort();
    expect(names).toEqual(
      [
        'SYNTHETIC-DATA.txt',
        'instruments.csv',
        ...['2023', '2024'].flatMap((y) => [
          `corporate-actions-history-${y}.csv`,
          `crypto-daily-history-${y}.csv`,
          `fx-daily-history-${y}.csv`,
          `krx-daily-history-${y}.csv`,
          `us-eod-history-${y}.csv`,
        ]),
      ].sort(),
    );
    // Nothing else in the folder (no temporary files left behind).
    expect(readdirSync(written.dir).sort()).toEqual(names);
    const readme = readFileSync(path.join(written.dir, 'SYNTHETIC-DATA.txt'), 'utf8');
    expect(readme).toMatch(/^SYNTHETIC DATA - NOT REAL MARKET PRICES/);
    for (const e of market.plantedErrors) expect(readme).toContain(e.description);
  });

  it('matches every data file to exactly one feed of DEMO_FEEDS, with its dataset', () => {
    const globs = DEMO_FEEDS.map((f) => ({
      feed: f,
      re: new RegExp(`^${f.pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`),
    }));
    for (const file of written.files.filter((f) => f.dataset !== undefined)) {
      const name = path.basename(file.path);
      const feeds = globs.filter((g) => g.re.test(name)).map((g) => g.feed);
      expect(feeds, name).toHaveLength(1);
      expect(feeds[0]!.dataset).toBe(file.dataset);
      expect(feeds[0]!.market).toBe(file.market);
      expect(feeds[0]!.mapping.dataset).toBe(file.dataset);
    }
    expect(DEMO_FEEDS.find((f) => f.market === 'XKRX')?.mapping.dateFormat).toBe('%Y%m%d');
  });

  it('is byte-identical for the same seed and differs for another', async () => {
    const again = await writeDemoFiles(
      generateDemoMarket({ seed: 42, years: 2, from: '2023-01-01' }),
      path.join(scratch, 'b'),
    );
    expect(digest(again.dir)).toEqual(digest(written.dir));
    const other = await writeDemoFiles(
      generateDemoMarket({ seed: 7, years: 2, from: '2023-01-01' }),
      path.join(scratch, 'c'),
    );
    const a = digest(written.dir);
    const c = digest(other.dir);
    expect([...c.keys()]).toEqual([...a.keys()]);
    expect(c.get('us-eod-history-2024.csv')).not.toBe(a.get('us-eod-history-2024.csv'));
    // The universe is the same whatever the seed; only its numbers change.
    const symbols = (dir: string): string[] =>
      readFileSync(path.join(dir, 'instruments.csv'), 'utf8')
        .split('\n')
        .map((line) => line.split(',')[0]!);
    expect(symbols(other.dir)).toEqual(symbols(written.dir));
  });

  it('labels every row synthetic and writes KRX rows Korean-vendor style', () => {
    const rows = barRows(written.dir);
    expect(rows.every((r) => r.row['source'] === 'synthetic-demo')).toBe(true);
    const krx = rows.filter((r) => r.file.startsWith('krx-daily'));
    expect(krx.every((r) => /^\d{8}$/.test(r.row['date']!))).toBe(true);
    expect(krx.every((r) => /^99\d{4}$/.test(r.row['symbol']!))).toBe(true);
    expect(krx.every((r) => r.row['name']!.startsWith('합성'))).toBe(true);
    const instruments = readFileSync(path.join(written.dir, 'instruments.csv'), 'utf8');
    expect(instruments.split('\n')[0]).toBe(
      'symbol,exchange,name,type,currency,isin,local_code,sector,listed_date,delisted_date',
    );
    expect(instruments).toContain('990010,XKRX,합성한빛반도체 (synthetic),stock,KRW,,990010,');
  });

  it('writes every clean bar once, except the planted errors, exactly as listed', () => {
    const rows = barRows(written.dir);
    const missing = market.plantedErrors.filter((e) => e.kind === 'missing_session').length;
    const duplicated = market.plantedErrors.filter((e) => e.kind === 'duplicate_row').length;
    expect(rows).toHaveLength(market.bars.length - missing + duplicated);
    expect(written.barRows).toBe(rows.length);

    const closeOf = (symbol: string, date: string, offset = 0): number => {
      const inst = market.instruments.find((i) => i.symbol === symbol)!;
      const a = market.bars.offsets[inst.index]!;
      const b = market.bars.offsets[inst.index + 1]!;
      for (let r = a; r < b; r++)
        if (formatDay(market.bars.day[r]!) === date) return market.bars.close[r + offset]!;
      throw new Error(`${symbol} has no bar on ${date}`);
    };
    const at = (symbol: string, date: string) =>
      rows.filter((r) => r.row['symbol'] === symbol && iso(r.row['date']!) === date);
    const flagged = new Set<string>();
    for (const e of market.plantedErrors) {
      const hits = at(e.symbol, e.date);
      flagged.add(`${e.symbol} ${e.date}`);
      if (e.kind === 'missing_session') expect(hits, e.description).toHaveLength(0);
      else if (e.kind === 'duplicate_row') {
        expect(hits).toHaveLength(2);
        expect(hits[0]!.line).toBe(hits[1]!.line);
      } else expect(hits, e.description).toHaveLength(1);
      const row = hits[0]?.row;
      if (e.kind === 'high_below_low')
        expect(Number(row!['high'])).toBeLessThan(Number(row!['low']));
      if (e.kind === 'negative_volume') expect(Number(row!['volume'])).toBeLessThan(0);
      if (e.kind === 'blank_close') expect(row!['close']).toBe('');
      if (e.kind === 'price_spike')
        expect(Number(row!['close'])).toBeCloseTo(SPIKE_FACTOR * closeOf(e.symbol, e.date), 6);
      if (e.kind === 'stale_price') {
        expect(e.sessions).toBe(STALE_RUN_SESSIONS);
        const bars = rows.filter((r) => r.row['symbol'] === e.symbol);
        const k = bars.findIndex((r) => iso(r.row['date']!) === e.date);
        const before = bars[k - 1]!.row;
        for (let j = k; j < k + e.sessions; j++) {
          flagged.add(`${e.symbol} ${iso(bars[j]!.row['date']!)}`);
          for (const col of ['open', 'high', 'low', 'close', 'volume'])
            expect(bars[j]!.row[col], `${e.symbol} ${col}`).toBe(before[col]);
        }
      }
    }
    // Nowhere else: every other row is consistent and its key unique.
    const keys = new Set<string>();
    for (const { row, line } of rows) {
      const key = `${row['symbol']} ${iso(row['date']!)}`;
      if (flagged.has(key)) continue;
      const [o, h, l, c, v] = ['open', 'high', 'low', 'close', 'volume'].map((n) => Number(row[n]));
      const ok =
        l! > 0 && h! >= Math.max(o!, c!) && l! <= Math.min(o!, c!) && v! > 0 && row['close'] !== '';
      if (!ok || keys.has(key)) throw new Error(`unplanned bad row: ${line}`);
      keys.add(key);
    }
  });

  it('writes corporate actions once each, in the year they are announced', () => {
    let count = 0;
    for (const f of written.files.filter((x) => x.dataset === 'corporate_actions')) {
      const lines = readFileSync(f.path, 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe('symbol,ex_date,type,value,currency,new_symbol,announced_date,source');
      const year = path.basename(f.path).slice(-8, -4);
      for (const line of lines.slice(1)) expect(line.split(',')[6]!.slice(0, 4)).toBe(year);
      count += lines.length - 1;
    }
    expect(count).toBe(market.corporateActions.length);
  });

  it('writes the same rows one file per session in the daily layout', async () => {
    const daily = await writeDemoFiles(market, path.join(scratch, 'daily'), {
      layout: 'daily',
      from: '2024-12-01',
      to: '2024-12-31',
    });
    const names = daily.files.map((f) => path.basename(f.path));
    expect(names).toContain('us-eod-20241224.csv');
    expect(names).not.toContain('us-eod-20241225.csv'); // Christmas
    expect(names).toContain('crypto-daily-20241225.csv');
    expect(names).not.toContain('krx-daily-20241231.csv'); // KRX year-end closure
    expect(names).not.toContain('instruments.csv');
    const dailyLines = barRows(daily.dir).map((r) => r.line);
    const historyLines = barRows(written.dir)
      .filter((r) => iso(r.row['date']!) >= '2024-12-01')
      .map((r) => r.line);
    expect(dailyLines.sort()).toEqual(historyLines.sort());
  });

  it('rejects a layout or dates it cannot write', async () => {
    const dir = path.join(scratch, 'bad');
    await expect(writeDemoFiles(market, dir, { layout: 'weekly' as 'daily' })).rejects.toThrow(
      /demo layout/,
    );
    await expect(writeDemoFiles(market, dir, { from: '2022-12-31' })).rejects.toThrow(
      /within the market's range 2023-01-01\.\.2024-12-31/,
    );
    await expect(
      writeDemoFiles(market, dir, { from: '2024-02-01', to: '2024-01-01' }),
    ).rejects.toThrow(/from <= to/);
  });
});
