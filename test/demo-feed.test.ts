import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDemoMarket, writeDemoFiles, type DemoMarket } from '../src/market/index.js';
import { backends } from './helpers/backends.js';
import { runCli } from './helpers/dist.js';
import { makeTempDir, removeDir, withTempDir } from './helpers/temp-dir.js';
import { withLake } from './helpers/with-lake.js';

/*
 * The demo feed end to end: its vendor files import into a lake as they are (instruments with
 * Korean names, corporate actions, bars from four vendors), the planted bad rows land in
 * quarantine with the documented reasons, the rows that only checks can catch land in the lake,
 * and `marketlake demo` writes the feed into a project's inbox.
 */

const barsFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => /^(us-eod|krx-daily|crypto-daily|fx-daily)-.*\.csv$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));

const count = (market: DemoMarket, kind: string): number =>
  market.plantedErrors.filter((e) => e.kind === kind).length;

describe.each(backends)('demo feed into a lake ($name)', (backend) => {
  it.skipIf(backend.skip)(
    'imports the files, quarantining exactly the planted bad rows',
    async () => {
      await withLake(backend, async ({ lake, dir }) => {
        const market = generateDemoMarket({ seed: 42, years: 2, from: '2023-01-01' });
        const feed = path.join(dir, 'inbox');
        const written = await writeDemoFiles(market, feed);

        const instruments = await lake.import('instruments', [path.join(feed, 'instruments.csv')]);
        expect([instruments.rowsImported, instruments.rowsQuarantined]).toEqual([102, 0]);
        const actions = await lake.import(
          'corporate_actions',
          written.files.filter((f) => f.dataset === 'corporate_actions').map((f) => f.path),
        );
        expect(actions.rowsImported).toBe(market.corporateActions.length);
        expect(actions.rowsQuarantined).toBe(0);

        const bars = await lake.import('bars_1d', barsFiles(feed));
        const rejected = ['high_below_low', 'negative_volume', 'blank_close'].reduce(
          (n, k) => n + count(market, k),
          0,
        );
        const duplicates = count(market, 'duplicate_row');
        expect(bars.rowsQuarantined).toBe(rejected + 2 * duplicates);
        expect(bars.rowsImported).toBe(
          market.bars.length - count(market, 'missing_session') - rejected - duplicates,
        );
        for (const e of market.plantedErrors.filter((x) => x.expected === 'quarantined')) {
          const compact = e.date.replaceAll('-', '');
          // Rejected rows keep their text; duplicates are rebuilt from the parsed values.
          const hits = bars.quarantined.filter((q) => {
            const fields = q.raw.split(',');
            return (
              fields.includes(e.symbol) && (fields.includes(e.date) || fields.includes(compact))
            );
          });
          expect(hits, e.description).toHaveLength(e.kind === 'duplicate_row' ? 2 : 1);
          for (const q of hits) {
            expect(q.reason).toContain(e.reason);
            const file = readFileSync(q.sourceFile, 'utf8').split('\n');
            expect(file[(q.line ?? 0) - 1], `${q.sourceFile}:${q.line}`).toContain(`,${e.symbol},`);
          }
        }

        const rows = (
          await lake.query('SELECT symbol, CAST(date AS VARCHAR) AS date, close FROM bars_1d', {
            maxRows: 100_000,
          })
        ).rows as { symbol: string; date: string; close: number }[];
        const stored = new Map(rows.map((r) => [`${r.symbol} ${r.date}`, r.close]));
        expect(stored.size).toBe(bars.rowsImported);
        for (const e of market.plantedErrors) {
          const key = `${e.symbol} ${e.date}`;
          if (e.expected === 'present') expect(stored.has(key), e.description).toBe(true);
          else expect(stored.has(key), e.description).toBe(false);
        }
        const spike = market.plantedErrors.find((e) => e.kind === 'price_spike')!;
        const inst = market.instruments.find((i) => i.symbol === spike.symbol)!;
        const previous = rows
          .filter((r) => r.symbol === spike.symbol && r.date < spike.date)
          .sort((a, b) => b.date.localeCompare(a.date))[0]!;
        expect(stored.get(`${spike.symbol} ${spike.date}`)! / previous.close).toBeGreaterThan(5);
        expect(inst.exchange).toBe(spike.exchange);

        const labels = await lake.query(
          "SELECT count(*)::INTEGER AS n FROM bars_1d WHERE source <> 'synthetic-demo' OR source IS NULL",
        );
        expect(labels.rows[0]).toEqual({ n: 0 });
        const korean = await lake.query(
          "SELECT name FROM instruments WHERE exchange = 'XKRX' AND symbol = '990010'",
        );
        expect(korean.rows).toEqual([{ name: '합성한빛반도체 (synthetic)' }]);

        // The drip's daily files carry the same rows: importing them again adds nothing.
        const daily = path.join(dir, 'daily');
        await writeDemoFiles(market, daily, {
          layout: 'daily',
          from: '2024-12-20',
          to: '2024-12-31',
        });
        expect(market.plantedErrors.filter((e) => e.date >= '2024-12-20')).toEqual([]);
        const again = await lake.import('bars_1d', barsFiles(daily));
        expect(again.rowsQuarantined).toBe(0);
        expect(again.rowsImported).toBeGreaterThan(100);
        const total = await lake.query('SELECT count(*)::INTEGER AS n FROM bars_1d');
        expect(total.rows[0]).toEqual({ n: bars.rowsImported });
      });
    },
  );
});

describe('marketlake demo (built CLI)', () => {
  it('writes the feed into the project inbox, labelled synthetic, and the lake imports it', async () => {
    const project = makeTempDir();
    try {
      const env = { MARKETLAKE_HOME: path.join(project, 'home'), MARKETLAKE_DUCKDB_THREADS: '2' };
      const human = await runCli(['--project', project, 'demo', '--years', '1', '--seed', '3'], {
        env,
      });
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toMatch(/^SYNTHETIC demo data/);
      expect(human.stdout).toContain('us-eod-*.csv');
      expect(human.stdout).toContain('price_spike');
      const inbox = path.join(project, 'inbox');
      expect(readdirSync(inbox)).toContain('krx-daily-history-2015.csv');

      const out = path.join(project, 'feed');
      const json = await runCli(
        ['demo', '--years', '1', '--seed', '3', '--out', out, '--layout', 'daily', '--json'],
        { env, cwd: project },
      );
      expect(json.code, json.stderr).toBe(0);
      const report = JSON.parse(json.stdout) as {
        label: string;
        barRows: number;
        files: { name: string; dataset: string }[];
        plantedErrors: unknown[];
      };
      expect(report.label).toBe('synthetic');
      expect(report.plantedErrors).toHaveLength(10);
      expect(report.files.map((f) => f.name)).toContain('us-eod-20150102.csv');

      const imported = await runCli(
        [
          '--project',
          project,
          'lake',
          'import',
          ...barsFiles(inbox),
          '--dataset',
          'bars_1d',
          '--json',
        ],
        { env },
      );
      expect(imported.code, imported.stderr).toBe(0);
      const result = JSON.parse(imported.stdout) as {
        rowsImported: number;
        rowsQuarantined: number;
      };
      // Every planted bad row, a duplicate's two copies both.
      const planted = report.plantedErrors as { kind: string; expected: string }[];
      expect(result.rowsQuarantined).toBe(
        planted.filter((e) => e.expected === 'quarantined').length +
          planted.filter((e) => e.kind === 'duplicate_row').length,
      );
      expect(result.rowsImported + result.rowsQuarantined).toBeGreaterThan(24_000);
    } finally {
      removeDir(project);
    }
  });

  it('rejects bad options with exit status 2', async () => {
    await withTempDir(async (dir) => {
      const years = await runCli(['demo', '--years', '0', '--out', dir]);
      expect(years.code).toBe(2);
      expect(years.stderr).toContain('--years');
      const from = await runCli(['demo', '--from', '2015-13-01', '--out', dir]);
      expect(from.code).toBe(2);
      expect(from.stderr).toContain('demo from');
      expect(readdirSync(dir)).toEqual([]);
    });
  });
});
