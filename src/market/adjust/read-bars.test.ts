import { describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { bar } from '../../../test/helpers/bars.js';
import { failure } from '../../../test/helpers/errors.js';
import { withLake } from '../../../test/helpers/with-lake.js';
import type { Lake } from '../../lake/index.js';
import { resolveSymbol } from '../instruments/index.js';
import { listActions, readBars, toBarColumns } from './index.js';

const closes = (rows: { close: number }[]): number[] => rows.map((r) => Number(r.close.toFixed(6)));

/** OLD trades 2024-01-02..04 at 100, splits 2:1 on 01-05 (50), pays 1.0 on 01-08, renamed NEW on 01-09. */
async function seed(lake: Lake): Promise<void> {
  const px = (symbol: string, date: string, close: number, volume = 1000) =>
    bar(symbol, date, { open: close, high: close, low: close, close, volume });
  await lake.write('bars_1d', {
    rows: [
      px('OLD', '2024-01-02', 100),
      px('OLD', '2024-01-03', 100),
      px('OLD', '2024-01-04', 100),
      px('OLD', '2024-01-05', 50, 2000),
      px('OLD', '2024-01-08', 49),
      px('NEW', '2024-01-09', 49),
      px('NEW', '2024-01-10', 44),
      px('NEW', '2024-01-11', 40),
      px('ZZZ', '2024-01-02', 10),
    ],
  });
  await lake.write('corporate_actions', {
    rows: [
      {
        symbol: 'OLD',
        ex_date: '2024-01-05',
        type: 'split',
        value: 2,
        announced_date: '2023-12-15',
      },
      {
        symbol: 'OLD',
        ex_date: '2024-01-08',
        type: 'cash_dividend',
        value: 1,
        announced_date: '2024-01-03',
      },
      {
        symbol: 'OLD',
        ex_date: '2024-01-09',
        type: 'symbol_change',
        new_symbol: 'NEW',
        announced_date: '2024-01-04',
      },
      // Known only from its ex-date (no announcement date).
      { symbol: 'NEW', ex_date: '2024-01-11', type: 'stock_dividend', value: 0.1 },
    ],
  });
}

describe.each(backends)('readBars on $name', (backend) => {
  it.skipIf(backend.skip)(
    'applies splits, dividends and stock dividends once, newest bar raw',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await seed(lake);
        const raw = await readBars(lake, { symbol: 'NEW' });
        expect(raw.rows.map((r) => `${r.tradedSymbol}:${r.date}`)).toEqual([
          'OLD:2024-01-02',
          'OLD:2024-01-03',
          'OLD:2024-01-04',
          'OLD:2024-01-05',
          'OLD:2024-01-08',
          'NEW:2024-01-09',
          'NEW:2024-01-10',
          'NEW:2024-01-11',
        ]);
        expect(raw.rows.every((r) => r.symbol === 'NEW' && r.factor === 1)).toBe(true);
        expect(closes(raw.rows)).toEqual([100, 100, 100, 50, 49, 49, 44, 40]);

        // split: 2:1 on 01-05 and the 10% stock dividend on 01-11 (ratio 1.1).
        const split = await readBars(lake, { symbol: 'NEW', adjust: 'split' });
        const s = 1 / 1.1;
        expect(closes(split.rows)).toEqual(
          closes(
            [100 / 2, 100 / 2, 100 / 2, 50, 49, 49, 44, 40].map((c, i) => ({
              close: i < 7 ? c * s : c,
            })),
          ),
        );
        expect(split.rows[0]!.volume).toBeCloseTo(1000 * 2 * 1.1, 9);
        expect(split.rows[7]!.volume).toBe(1000);
        const columns = toBarColumns(split.rows);
        expect(columns.close).toBeInstanceOf(Float64Array);
        expect([...columns.close]).toEqual(split.rows.map((r) => r.close));
        expect(columns.date).toEqual(split.rows.map((r) => r.date));

        // total_return adds 1 - 1/50 for the dividend on 01-08 (previous close 50).
        const tr = await readBars(lake, { symbol: 'NEW', adjust: 'total_return' });
        const d = 1 - 1 / 50;
        expect(tr.rows.map((r) => Number(r.factor.toFixed(12)))).toEqual(
          [(d * s) / 2, (d * s) / 2, (d * s) / 2, d * s, s, s, s, 1].map((f) =>
            Number(f.toFixed(12)),
          ),
        );
        expect(
          tr.actions.map((a) => [a.exDate, a.splitRatio, a.dividend, a.previousClose]),
        ).toEqual([
          ['2024-01-05', 2, 0, 100],
          ['2024-01-08', 1, 1, 50],
          ['2024-01-11', 1.1, 0, 44],
        ]);
        // The old symbol alone reads only what traded under it.
        expect((await readBars(lake, { symbol: 'OLD' })).rows).toHaveLength(5);
        // Several symbols at once, ordered by symbol and date.
        const both = await readBars(lake, {
          symbols: ['ZZZ', 'NEW'],
          from: '2024-01-02',
          to: '2024-01-02',
        });
        expect(both.rows.map((r) => `${r.symbol}:${r.tradedSymbol}`)).toEqual([
          'NEW:OLD',
          'ZZZ:ZZZ',
        ]);
      });
    },
  );

  it.skipIf(backend.skip)('as of a past date uses only the actions known then', async () => {
    await withLake(backend, async ({ lake }) => {
      await seed(lake);
      // On 2024-01-02 only the split (announced 2023-12-15) was known; the rename was not, so NEW has no history.
      expect((await readBars(lake, { symbol: 'NEW', asOf: '2024-01-02' })).rows).toHaveLength(3);
      const old = await readBars(lake, {
        symbol: 'OLD',
        adjust: 'total_return',
        asOf: '2024-01-02',
      });
      expect(closes(old.rows)).toEqual([50, 50, 50, 50, 49]);
      expect(old.actions.map((a) => a.exDate)).toEqual(['2024-01-05']);
      // On 01-04 the dividend (announced 01-03) and the rename (announced 01-04) were known.
      const jan4 = await readBars(lake, {
        symbol: 'NEW',
        adjust: 'total_return',
        asOf: '2024-01-04',
      });
      expect(jan4.rows).toHaveLength(8);
      expect(jan4.actions.map((a) => a.exDate)).toEqual(['2024-01-05', '2024-01-08']);
      // The stock dividend has no announcement date: known from its ex-date.
      expect(
        (await readBars(lake, { symbol: 'NEW', adjust: 'split', asOf: '2024-01-10' })).actions,
      ).toHaveLength(1);
      expect(
        (await readBars(lake, { symbol: 'NEW', adjust: 'split', asOf: '2024-01-11' })).actions,
      ).toHaveLength(2);
      expect((await listActions(lake, 'NEW', { asOf: '2024-01-03' })).map((a) => a.type)).toEqual(
        [],
      );
      expect((await listActions(lake, 'NEW')).map((a) => `${a.symbol}:${a.type}`)).toEqual([
        'OLD:split',
        'OLD:cash_dividend',
        'OLD:symbol_change',
        'NEW:stock_dividend',
      ]);
      expect((await resolveSymbol(lake, 'NEW')).segments).toEqual([
        { symbol: 'OLD', to: '2024-01-09' },
        { symbol: 'NEW', from: '2024-01-09' },
      ]);
    });
  });

  it.skipIf(backend.skip)('refuses bad options and impossible dividends with the fix', async () => {
    await withLake(backend, async ({ lake }) => {
      await seed(lake);
      const adjust = await failure(readBars(lake, { symbol: 'NEW', adjust: 'total' as never }));
      expect(adjust.code).toBe('MARKET_INVALID_OPTION');
      expect(adjust.message).toContain('raw, split, total_return');
      expect((await failure(readBars(lake, { symbol: 'NEW', from: '2024-13-01' }))).code).toBe(
        'MARKET_INVALID_DATE',
      );
      expect(
        (await failure(readBars(lake, { symbol: 'NEW', from: '2024-02-01', to: '2024-01-01' })))
          .code,
      ).toBe('MARKET_INVALID_DATE_RANGE');
      expect((await failure(readBars(lake, {}))).code).toBe('MARKET_INVALID_OPTION');
      await lake.write('corporate_actions', {
        rows: [{ symbol: 'ZZZ', ex_date: '2024-01-03', type: 'cash_dividend', value: 12 }],
      });
      await lake.write('bars_1d', { rows: [bar('ZZZ', '2024-01-03')] });
      const err = await failure(readBars(lake, { symbol: 'ZZZ', adjust: 'total_return' }));
      expect(err.code).toBe('MARKET_ACTION_INVALID');
      expect(err.message).toContain('ZZZ on 2024-01-03 (12) is not below the previous close (10)');
      // Raw and split reads do not need the dividend.
      expect((await readBars(lake, { symbol: 'ZZZ', adjust: 'split' })).rows).toHaveLength(2);
    });
  });
});
