import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { sharedFile } from '../../../test/helpers/shared-data.js';
import { withLake } from '../../../test/helpers/with-lake.js';
import { failure } from '../../../test/helpers/errors.js';
import { importBarsWithActions, listActions, readBars } from './index.js';

// Zipline's csvdir files: split-adjusted prices that still carry their split events.
const aapl = sharedFile('corporate-actions/csvdir_AAPL.csv.gz');
const ko = sharedFile('corporate-actions/csvdir_KO.csv.gz');
const quandl = sharedFile('corporate-actions/quandl_sample_2014.csv');

const closeOn = (rows: { date: string; close: number }[], date: string): number =>
  rows.find((r) => r.date === date)!.close;

describe.each(backends)('declared adjustments on import on $name', (backend) => {
  it.skipIf(backend.skip || !aapl || !ko)(
    'csvdir AAPL and KO declared split-adjusted: stored raw, each split applied once',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const a = await importBarsWithActions(lake, aapl!, {
          symbol: 'AAPL',
          pricesInclude: 'split',
        });
        await importBarsWithActions(lake, ko!, { symbol: 'KO', pricesInclude: 'split' });
        expect(a.bars.rowsWritten).toBe(754);

        // Raw read: the 7:1 split shows as a 7x drop from 2014-06-06 to 2014-06-09.
        const raw = (await readBars(lake, { symbol: 'AAPL', from: '2014-06-05', to: '2014-06-10' }))
          .rows;
        expect(closeOn(raw, '2014-06-06') / closeOn(raw, '2014-06-09')).toBeGreaterThan(6.5);
        expect(closeOn(raw, '2014-06-06')).toBeCloseTo(92.224289 * 7, 4);
        // Split-adjusted read: no jump, and the file's own prices come back.
        const split = (
          await readBars(lake, {
            symbol: 'AAPL',
            adjust: 'split',
            from: '2014-06-05',
            to: '2014-06-10',
          })
        ).rows;
        const move = closeOn(split, '2014-06-09') / closeOn(split, '2014-06-06') - 1;
        expect(Math.abs(move)).toBeLessThan(0.05);
        expect(closeOn(split, '2014-06-06')).toBeCloseTo(92.224289, 6);
        // Volume went back to raw shares too.
        expect(raw[0]!.volume * 7).toBeCloseTo(split[0]!.volume, 3);

        // KO 2:1 on 2012-08-13, the same way.
        const koRaw = (await readBars(lake, { symbol: 'KO', from: '2012-08-10', to: '2012-08-13' }))
          .rows;
        const koSplit = (
          await readBars(lake, {
            symbol: 'KO',
            adjust: 'split',
            from: '2012-08-10',
            to: '2012-08-13',
          })
        ).rows;
        expect(koRaw[0]!.close / koRaw[1]!.close).toBeGreaterThan(1.9);
        expect(Math.abs(koSplit[1]!.close / koSplit[0]!.close - 1)).toBeLessThan(0.05);

        // Per-share dividends were split-adjusted in the file; they are stored raw (0.37857 x 7 = 2.65).
        const actions = await listActions(lake, 'AAPL');
        expect(actions.filter((x) => x.type === 'split')).toEqual([
          expect.objectContaining({ exDate: '2014-06-09', value: 7, source: 'csvdir_AAPL.csv.gz' }),
        ]);
        expect(actions.find((x) => x.exDate === '2012-08-09')!.value).toBeCloseTo(2.65, 4);
        expect(actions.find((x) => x.exDate === '2014-08-07')!.value).toBeCloseTo(0.47, 6);
        expect(actions.filter((x) => x.type === 'cash_dividend')).toHaveLength(10);
      });
    },
  );

  it.skipIf(backend.skip || !aapl)(
    'declaring nothing for a split-adjusted file double-adjusts: the control case',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await importBarsWithActions(lake, aapl!, { symbol: 'AAPL', pricesInclude: 'none' });
        const split = (
          await readBars(lake, {
            symbol: 'AAPL',
            adjust: 'split',
            from: '2014-06-06',
            to: '2014-06-09',
          })
        ).rows;
        // The file's split is applied on top of prices that already include it: a 7x jump.
        expect(split[1]!.close / split[0]!.close).toBeGreaterThan(6.5);
      });
    },
  );

  it.skipIf(backend.skip || !quandl)(
    'split_dividend files round-trip: adjusted prices in, the raw prices stored',
    async ({ task }) => {
      await withLake(backend, async ({ lake, dir }) => {
        await importBarsWithActions(lake, quandl!, {
          pricesInclude: 'none',
          columns: { symbol: 'ticker', dividend: 'ex-dividend', split: 'split_ratio' },
        });
        const tr = await readBars(lake, { symbol: 'AAPL', adjust: 'total_return' });
        const raw = await readBars(lake, { symbol: 'AAPL' });
        // A vendor file in the split_dividend convention: total-return prices, split-adjusted
        // volume and per-share dividends, the split still recorded.
        const splitAfter = (date: string): number => (date < '2014-06-09' ? 7 : 1);
        const dividends = new Map(
          tr.actions.filter((x) => x.dividend > 0).map((x) => [x.exDate, x.dividend]),
        );
        const lines = ['date,open,high,low,close,volume,dividend,split'];
        for (const r of tr.rows) {
          const d = dividends.get(r.date) ?? 0;
          lines.push(
            [
              r.date,
              r.open,
              r.high,
              r.low,
              r.close,
              r.volume,
              d / splitAfter(r.date),
              r.date === '2014-06-09' ? 7 : 1,
            ].join(','),
          );
        }
        const file = path.join(dir, `${task.id}-aapl-tr.csv`);
        writeFileSync(file, lines.join('\n') + '\n');
        await importBarsWithActions(lake, file, {
          symbol: 'AAPL_TR',
          pricesInclude: 'split_dividend',
        });
        const back = await readBars(lake, { symbol: 'AAPL_TR' });
        expect(back.rows).toHaveLength(raw.rows.length);
        back.rows.forEach((r, i) => {
          const want = raw.rows[i]!;
          for (const f of ['open', 'high', 'low', 'close', 'volume'] as const)
            expect(Math.abs(r[f] / want[f] - 1), `${r.date} ${f}`).toBeLessThan(1e-9);
        });
        const again = await readBars(lake, { symbol: 'AAPL_TR', adjust: 'total_return' });
        again.rows.forEach((r, i) =>
          expect(Math.abs(r.close / tr.rows[i]!.close - 1)).toBeLessThan(1e-9),
        );
      });
    },
  );

  it.skipIf(backend.skip)('names missing columns and refuses unknown declarations', async () => {
    await withLake(backend, async ({ lake, dir }) => {
      const file = path.join(dir, 'no-symbol.csv');
      writeFileSync(file, 'date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1.5,10\n');
      const missing = await failure(importBarsWithActions(lake, file, { pricesInclude: 'split' }));
      expect(missing.code).toBe('MARKET_IMPORT_FILE');
      expect(missing.message).toContain('lacks symbol');
      const wrongColumn = await failure(
        importBarsWithActions(lake, file, {
          symbol: 'X',
          pricesInclude: 'none',
          columns: { split: 'ratio' },
        }),
      );
      expect(wrongColumn.message).toContain('no column "ratio"');
      const bad = await failure(
        importBarsWithActions(lake, file, { symbol: 'X', pricesInclude: 'splits' as never }),
      );
      expect(bad.code).toBe('MARKET_INVALID_OPTION');
      expect(bad.message).toContain('none, split, split_dividend');
      expect((await lake.dataset('bars_1d')).headVersion).toBe(0);
    });
  });
});
