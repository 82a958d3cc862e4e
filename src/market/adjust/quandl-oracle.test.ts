import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { sharedFile } from '../../../test/helpers/shared-data.js';
import { withLake } from '../../../test/helpers/with-lake.js';
import { importBarsWithActions, readBars } from './index.js';

// The vendor oracle: raw prices, dividends and split ratios with the vendor's adjusted columns.
const quandl = sharedFile('corporate-actions/quandl_sample_2014.csv');

/**
 * Tolerance of the total-return comparison, relative. The vendor's dividend ratios differ from
 * 1 - dividend / previous close (computed from the file's own raw closes) by up to 6e-5 per
 * ex-date (MSFT 2014-11-18: vendor 0.993680, file 0.993732), which accumulates to 1.6e-4 over
 * MSFT's four 2014 dividends; splits agree exactly.
 */
const RELATIVE_TOLERANCE = 2e-4;

interface VendorRow {
  ticker: string;
  date: string;
  close: number;
  adj: Record<'open' | 'high' | 'low' | 'close' | 'volume', number>;
}

function vendorRows(file: string): VendorRow[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const at = (f: string[], name: string): string => f[cols.indexOf(name)]!;
  return lines.map((line) => {
    const f = line.split(',');
    return {
      ticker: at(f, 'ticker'),
      date: at(f, 'date'),
      close: Number(at(f, 'close')),
      adj: {
        open: Number(at(f, 'adj_open')),
        high: Number(at(f, 'adj_high')),
        low: Number(at(f, 'adj_low')),
        close: Number(at(f, 'adj_close')),
        volume: Number(at(f, 'adj_volume')),
      },
    };
  });
}

describe.each(backends)('total-return adjustment against the vendor oracle on $name', (backend) => {
  it.skipIf(backend.skip || !quandl)(
    "matches quandl_sample_2014's adj_* columns, normalized at the file's last row",
    async () => {
      const vendor = vendorRows(quandl!);
      await withLake(backend, async ({ lake }) => {
        const imported = await importBarsWithActions(lake, quandl!, {
          pricesInclude: 'none',
          columns: { symbol: 'ticker', dividend: 'ex-dividend', split: 'split_ratio' },
        });
        expect(imported.bars.rowsWritten).toBe(916);
        // AAPL: 4 dividends + the 7:1 split; MSFT: 4 dividends.
        expect(imported.actions.rowsWritten).toBe(9);

        for (const ticker of ['AAPL', 'BRK_A', 'MSFT', 'ZEN']) {
          const expected = vendor.filter((v) => v.ticker === ticker);
          const { rows, actions } = await readBars(lake, {
            symbol: ticker,
            adjust: 'total_return',
          });
          expect(rows.map((r) => r.date)).toEqual(expected.map((v) => v.date));
          // Convention difference: the vendor adjusted back from a later date than the file's
          // end (its 2014-12-31 adj_close is not the close), ours from the last stored action.
          const last = expected[expected.length - 1]!;
          const scale = last.adj.close / last.close;
          expect(rows[rows.length - 1]!.factor).toBe(1);
          let worst = 0;
          rows.forEach((r, i) => {
            const v = expected[i]!;
            for (const field of ['open', 'high', 'low', 'close'] as const) {
              const rel = Math.abs((r[field] * scale) / v.adj[field] - 1);
              worst = Math.max(worst, rel);
              expect(rel, `${ticker} ${r.date} ${field}`).toBeLessThan(RELATIVE_TOLERANCE);
            }
            // Volume is adjusted for splits only, as the vendor's adj_volume is.
            expect(r.volume, `${ticker} ${r.date} volume`).toBeCloseTo(v.adj.volume, 3);
          });
          if (ticker === 'AAPL' || ticker === 'MSFT') expect(worst).toBeGreaterThan(0);
          else expect(actions).toEqual([]);
        }

        // The split alone: before 2014-06-09 AAPL's split-adjusted close is the raw close / 7.
        const split = await readBars(lake, {
          symbol: 'AAPL',
          adjust: 'split',
          from: '2014-06-06',
          to: '2014-06-09',
        });
        const raw = await readBars(lake, { symbol: 'AAPL', from: '2014-06-06', to: '2014-06-09' });
        expect(raw.rows.map((r) => r.close)).toEqual([645.57, 93.7]);
        expect(split.rows[0]!.close).toBeCloseTo(645.57 / 7, 10);
        expect(split.rows[1]!.close).toBe(93.7);
        expect(split.rows[0]!.volume).toBe(raw.rows[0]!.volume * 7);
      });
    },
  );
});
