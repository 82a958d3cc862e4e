import { describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { withLake } from '../../../test/helpers/with-lake.js';
import type { Lake } from '../../lake/index.js';
import { binance } from '../providers/binance/binance.js';
import { binanceIntraday } from '../providers/binance/binance-intraday.js';
import { defineConnector } from './define-connector.js';
import { planRun } from './incremental.js';

const bar = { open: 1, high: 1, low: 1, close: 1, volume: 1 };
const at = (iso: string): Date => new Date(iso);

async function storeMinutes(lake: Lake, source: string, symbol: string, ts: string[]) {
  const rows = ts.map((t) => ({ ...bar, symbol, ts: t, source }));
  await lake.write('bars_1m', { rows }, { mode: 'append', writer: 'test' });
}

// A per-date connector with minute state (none is built in): the latest bar's day resumes at it.
const minuteFiles = defineConnector<never>({
  name: 'minute-files',
  title: 'Minute files',
  description: 'One file of minute bars per day.',
  baseUrl: 'https://files.example',
  terms: 'Test only.',
  writes: ['bars_1m'],
  stateDataset: 'bars_1m',
  unit: 'date',
  defaultLookbackDays: 3,
  rateLimit: { minIntervalMs: 0, note: 'none' },
  fetch: () => Promise.resolve([]),
  map: () => ({}),
});

describe.each(backends)('planRun ($name)', (backend) => {
  it.skipIf(backend.skip)(
    'resumes bars_1m symbols after the latest stored minute, and only once a newer one has closed',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await storeMinutes(lake, 'binance-intraday', 'BTCUSDT', [
          '2024-01-03 00:03:00',
          '2024-01-03 00:04:00',
        ]);
        const symbols = ['btcusdt', 'ethusdt'];
        const plan = await planRun(lake, binanceIntraday, {
          symbols,
          now: at('2024-01-03T00:08:30Z'),
        });
        expect(plan.tasks).toEqual([
          {
            symbol: 'btcusdt',
            from: '2024-01-03',
            to: '2024-01-03',
            after: '2024-01-03T00:04:00Z',
          },
          // Nothing stored: the lookback, by day.
          { symbol: 'ethusdt', from: '2023-12-27', to: '2024-01-03' },
        ]);
        expect(plan.latest).toEqual({ BTCUSDT: '2024-01-03', ETHUSDT: null });
        // 00:05 closes at 00:06: until then the stored 00:04 is the latest closed minute.
        const early = await planRun(lake, binanceIntraday, {
          symbols,
          now: at('2024-01-03T00:05:59Z'),
        });
        expect(early.upToDate).toEqual(['btcusdt']);
        expect(early.tasks.map((t) => t.symbol)).toEqual(['ethusdt']);
        // `since` refetches whole days whatever the lake holds.
        const backfill = await planRun(lake, binanceIntraday, {
          symbols: ['btcusdt'],
          since: '2024-01-02',
          now: at('2024-01-03T00:08:30Z'),
        });
        expect(backfill.tasks).toEqual([
          { symbol: 'btcusdt', from: '2024-01-02', to: '2024-01-03' },
        ]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'resumes daily state on the day after the latest stored date, without `after`',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const row = { ...bar, symbol: 'BTCUSDT', date: '2024-01-02', source: 'binance' };
        await lake.write('bars_1d', { rows: [row] }, { mode: 'append', writer: 'test' });
        const plan = await planRun(lake, binance, {
          symbols: ['btcusdt'],
          now: at('2024-01-05T12:00:00Z'),
        });
        expect(plan.tasks).toEqual([{ symbol: 'btcusdt', from: '2024-01-03', to: '2024-01-05' }]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'gives a per-date bars_1m connector `after` on the latest stored day only',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await storeMinutes(lake, 'minute-files', 'ACME', ['2024-01-03 23:58:00']);
        const plan = await planRun(lake, minuteFiles, { now: at('2024-01-04T12:00:00Z') });
        expect(plan.tasks).toEqual([
          { from: '2024-01-03', to: '2024-01-03', after: '2024-01-03T23:58:00Z' },
          { from: '2024-01-04', to: '2024-01-04' },
        ]);
        expect(plan.latest).toEqual({ 'minute-files': '2024-01-03' });
      });
    },
  );
});
