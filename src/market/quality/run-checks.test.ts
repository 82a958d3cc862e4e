import { describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { failure } from '../../../test/helpers/errors.js';
import { withLake } from '../../../test/helpers/with-lake.js';
import type { Lake } from '../../lake/index.js';
import { getCalendar } from '../calendars/index.js';
import {
  findCheckFailures,
  listCheckFailures,
  listCheckResults,
  runMarketChecks,
} from './index.js';

type Row = Record<string, unknown>;

/** A deterministic gentle walk: +-0.5% alternating, volume 1000. */
function walk(symbol: string, dates: readonly string[], start: number): Row[] {
  let close = start;
  return dates.map((date, i) => {
    const open = close;
    close = Number((close * (i % 2 === 0 ? 1.005 : 0.996)).toFixed(4));
    return {
      symbol,
      date,
      open,
      high: Math.max(open, close) + 0.1,
      low: Math.min(open, close) - 0.1,
      close,
      volume: 1000,
    };
  });
}

function set(rows: Row[], symbol: string, date: string, values: Row): void {
  const row = rows.find((r) => r['symbol'] === symbol && r['date'] === date);
  if (!row) throw new Error(`no ${symbol} ${date}`);
  Object.assign(row, values);
}

/**
 * A user bars dataset without a key (so it can hold duplicates and negative volume), with one
 * planted problem per check; everything else is clean.
 */
async function seed(lake: Lake): Promise<void> {
  await lake.createDataset({
    name: 'raw_bars',
    columns: ['symbol', 'date', 'open', 'high', 'low', 'close', 'volume'].map((name) => ({
      name,
      type: name === 'symbol' ? 'VARCHAR' : name === 'date' ? 'DATE' : 'DOUBLE',
    })),
    primaryKey: [],
    partitioning: { kind: 'year', column: 'date' },
  });
  const nyse = getCalendar('XNYS').sessions('2024-01-02', '2024-03-28');
  const rows = walk(
    'AAA',
    nyse.filter((d) => d !== '2024-01-17'),
    100,
  );
  set(rows, 'AAA', '2024-01-10', { open: 200 }); // open above high
  rows.push({ ...rows.find((r) => r['date'] === '2024-01-11')!, volume: -5 }); // duplicate key, negative volume
  rows.push({ ...rows.find((r) => r['date'] === '2024-01-12')!, date: '2024-01-15' }); // MLK day
  set(rows, 'AAA', '2024-02-15', { volume: 50_000 }); // spike
  const drop = rows.find((r) => r['date'] === '2024-03-01')!;
  Object.assign(drop, { open: 50, high: 51, low: 49, close: 50 }); // a missed 2:1 split
  for (const r of rows.filter((x) => x['symbol'] === 'AAA' && String(x['date']) > '2024-03-01'))
    Object.assign(r, {
      open: Number(r['open']) / 2,
      high: Number(r['high']) / 2,
      low: Number(r['low']) / 2,
      close: Number(r['close']) / 2,
    });
  const stale = walk('BBB', nyse, 20);
  for (const d of [
    '2024-02-01',
    '2024-02-02',
    '2024-02-05',
    '2024-02-06',
    '2024-02-07',
    '2024-02-08',
  ])
    set(stale, 'BBB', d, { open: 20, high: 20, low: 20, close: 20 });
  const krx = walk('KKK', getCalendar('XKRX').sessions('2024-01-02', '2024-03-28'), 10_000);
  set(krx, 'KKK', '2024-02-13', { open: 13_500, high: 13_600, low: 13_400, close: 13_600 }); // beyond +-30%
  for (const r of krx.filter((x) => String(x['date']) > '2024-02-13'))
    Object.assign(r, {
      open: Number(r['open']) * 1.36,
      high: Number(r['high']) * 1.36,
      low: Number(r['low']) * 1.36,
      close: Number(r['close']) * 1.36,
    });
  await lake.write('raw_bars', {
    rows: [...rows, ...stale, ...krx, ...walk('NOCAL', nyse.slice(0, 3), 5)],
  });
  await lake.write('instruments', {
    rows: [
      { symbol: 'AAA', exchange: 'XNYS', type: 'stock' },
      { symbol: 'BBB', exchange: 'XNAS', type: 'stock' },
      { symbol: 'KKK', exchange: 'XKRX', type: 'stock', name: '삼성전자', local_code: '005930' },
    ],
  });
}

const keysOf = (failures: { check: string; key: string }[], check: string): string[] =>
  failures.filter((f) => f.check === check).map((f) => f.key);

describe.each(backends)('market quality checks on $name', (backend) => {
  it.skipIf(backend.skip)('each daily check finds exactly its planted problem', async () => {
    await withLake(backend, async ({ lake }) => {
      await seed(lake);
      const failures = await findCheckFailures(lake, { dataset: 'raw_bars' });
      expect(keysOf(failures, 'ohlc_consistency')).toEqual(['AAA|2024-01-10']);
      expect(failures.find((f) => f.check === 'ohlc_consistency')!.message).toContain('high');
      expect(keysOf(failures, 'non_negative_volume')).toEqual(['AAA|2024-01-11']);
      expect(keysOf(failures, 'duplicate_keys')).toEqual(['AAA|2024-01-11']);
      expect(keysOf(failures, 'missing_sessions')).toEqual(['AAA|2024-01-17']);
      expect(keysOf(failures, 'unexpected_bars')).toEqual(['AAA|2024-01-15']);
      expect(keysOf(failures, 'stale_prices')).toEqual(['BBB|2024-02-07', 'BBB|2024-02-08']);
      expect(keysOf(failures, 'limit_move')).toEqual(['KKK|2024-02-13']);
      expect(failures.find((f) => f.check === 'limit_move')!.message).toContain('XKRX limit +-30%');
      expect(keysOf(failures, 'zscore_move')).toEqual(['AAA|2024-03-01', 'KKK|2024-02-13']);
      expect(keysOf(failures, 'volume_spike')).toEqual(['AAA|2024-02-15']);

      // A corporate action on the date explains the move: no limit or z-score failure then.
      await lake.write('corporate_actions', {
        rows: [
          { symbol: 'AAA', ex_date: '2024-03-01', type: 'split', value: 2 },
          { symbol: 'KKK', ex_date: '2024-02-13', type: 'stock_dividend', value: 0.36 },
        ],
      });
      const explained = await findCheckFailures(lake, {
        dataset: 'raw_bars',
        checks: ['limit_move', 'zscore_move'],
      });
      expect(explained).toEqual([]);
    });
  });

  it.skipIf(backend.skip)(
    'stores every failing key and one run row per check; blocking follows severity',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await seed(lake);
        const now = new Date('2024-04-01T06:00:00Z');
        const summary = await runMarketChecks(lake, {
          dataset: 'raw_bars',
          partition: '2024',
          now,
          runId: 'run_a',
        });
        expect(summary).toMatchObject({
          runId: 'run_a',
          asset: 'raw_bars',
          partition: 'year=2024',
          ranAt: '2024-04-01T06:00:00.000Z',
          passed: false,
          blocked: true,
          symbolsWithoutCalendar: ['NOCAL'],
        });
        expect(summary.errors).toEqual([
          'ohlc_consistency',
          'non_negative_volume',
          'duplicate_keys',
          'unexpected_bars',
          'limit_move',
        ]);
        expect(summary.warnings).toEqual([
          'missing_sessions',
          'stale_prices',
          'zscore_move',
          'volume_spike',
        ]);
        const stored = await listCheckFailures(lake, { runId: 'run_a' });
        expect(stored).toHaveLength(summary.results.reduce((n, r) => n + r.failingCount, 0));
        expect(stored.filter((f) => f.check === 'stale_prices').map((f) => f.value)).toEqual([
          5, 6,
        ]);
        const runs = await listCheckResults(lake, { asset: 'raw_bars' });
        expect(runs).toHaveLength(9);
        expect(runs.find((r) => r.check === 'ohlc_consistency')).toMatchObject({
          passed: false,
          blocking: true,
          failingCount: 1,
        });

        // A later run over March only: the window checks still see February (lookback).
        const march = await runMarketChecks(lake, {
          dataset: 'raw_bars',
          from: '2024-03-01',
          checks: [
            'zscore_move',
            { name: 'stale_prices', severity: 'error', params: { sessions: 3 } },
          ],
          now: new Date('2024-04-02T06:00:00Z'),
          runId: 'run_b',
        });
        expect(march.results.map((r) => [r.check, r.failingCount, r.blocking])).toEqual([
          ['zscore_move', 1, false],
          ['stale_prices', 0, true],
        ]);
        expect(march.blocked).toBe(false);
        const latest = await listCheckResults(lake, { failed: true });
        expect(latest.find((r) => r.check === 'zscore_move')!.runId).toBe('run_b');
        // The latest run of each partition: run_b checked no partition (''), run_a year=2024.
        expect(
          (await listCheckFailures(lake, { check: 'zscore_move', partition: '' })).map(
            (f) => f.key,
          ),
        ).toEqual(['AAA|2024-03-01']);
        expect(
          (await listCheckFailures(lake, { check: 'zscore_move' })).map(
            (f) => `${f.runId}:${f.key}`,
          ),
        ).toEqual(['run_b:AAA|2024-03-01', 'run_a:AAA|2024-03-01', 'run_a:KKK|2024-02-13']);
        expect(await listCheckResults(lake, { history: true, check: 'zscore_move' })).toHaveLength(
          2,
        );
      });
    },
  );

  it.skipIf(backend.skip)(
    'intraday bars: gaps, bars outside hours and missing sessions',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const minute = (ts: string, close = 10): Row => ({
          symbol: 'M',
          ts,
          open: close,
          high: close,
          low: close,
          close,
          volume: 5,
        });
        const rows: Row[] = [];
        // XNYS 2024-01-02 opens 14:30 UTC and closes 21:00 UTC; every minute but 14:33-14:34.
        for (let m = 0; m < 390; m++) {
          if (m === 3 || m === 4) continue;
          rows.push(
            minute(new Date(Date.parse('2024-01-02T14:30:00Z') + m * 60_000).toISOString()),
          );
        }
        rows.push(minute('2024-01-02T22:00:00Z')); // after the close
        rows.push(minute('2024-01-04T14:30:00Z')); // 2024-01-03 has no bar at all
        await lake.write('bars_1m', { rows });
        const failures = await findCheckFailures(lake, { dataset: 'bars_1m', calendar: 'XNYS' });
        expect(keysOf(failures, 'intraday_gaps')).toEqual([
          'M|2024-01-02T14:33:00',
          'M|2024-01-04T14:31:00',
        ]);
        expect(failures.filter((f) => f.check === 'intraday_gaps').map((f) => f.value)).toEqual([
          2, 389,
        ]);
        expect(keysOf(failures, 'unexpected_bars')).toEqual(['M|2024-01-02T22:00:00']);
        expect(keysOf(failures, 'missing_sessions')).toEqual(['M|2024-01-03']);
        expect(
          failures.filter(
            (f) => !['intraday_gaps', 'unexpected_bars', 'missing_sessions'].includes(f.check),
          ),
        ).toEqual([]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'refuses unknown checks, parameters, partitions and non-bar datasets',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await seed(lake);
        const unknown = await failure(
          runMarketChecks(lake, { dataset: 'raw_bars', checks: ['ohlc' as never] }),
        );
        expect(unknown.code).toBe('MARKET_INVALID_OPTION');
        expect(unknown.message).toContain('ohlc_consistency');
        const param = await failure(
          runMarketChecks(lake, {
            dataset: 'raw_bars',
            checks: [{ name: 'stale_prices', params: { days: 3 } }],
          }),
        );
        expect(param.message).toContain('sessions');
        const grain = await failure(
          runMarketChecks(lake, { dataset: 'raw_bars', checks: ['intraday_gaps'] }),
        );
        expect(grain.message).toContain('daily bars');
        const part = await failure(
          runMarketChecks(lake, { dataset: 'raw_bars', partition: 'year=24' }),
        );
        expect(part.message).toContain('year=YYYY');
        const notBars = await failure(runMarketChecks(lake, { dataset: 'instruments' }));
        expect(notBars.code).toBe('MARKET_NOT_BARS_DATASET');
        expect(
          (await failure(runMarketChecks(lake, { dataset: 'raw_bars', calendar: 'XLON' }))).code,
        ).toBe('MARKET_UNKNOWN_CALENDAR');
      });
    },
  );
});
