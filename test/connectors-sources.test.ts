import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServer } from '../src/api/index.js';
import { describeSources, type SourcesReport } from '../src/connectors/index.js';
import { loadConfig, silentLogger } from '../src/core/index.js';
import { backends } from './helpers/backends.js';
import { runCli } from './helpers/dist.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';
import { withLake } from './helpers/with-lake.js';

/*
 * The sources report through the API (`GET /api/sources`) and the built CLI (`marketlake
 * sources`): built-in connectors, whether their key secret is set (never its value), and the
 * health the lake shows per source.
 */

const bar = { open: 10, high: 11, low: 9, close: 10.5, volume: 100 };

describe.each(backends)('sources report ($name)', (backend) => {
  it.skipIf(backend.skip)(
    'lists connectors with key status and per-source health from the lake',
    async () => {
      await withLake(backend, async ({ lake, store, dir, url }) => {
        await lake.write('bars_1d', {
          rows: [
            {
              symbol: 'AAPL',
              date: '2024-01-02',
              ...bar,
              source: 'yahoo',
              ingested_at: '2024-01-03 01:00:00',
            },
            {
              symbol: 'AAPL',
              date: '2024-01-03',
              ...bar,
              source: 'yahoo',
              ingested_at: '2024-01-04 01:00:00',
            },
            {
              symbol: '005930',
              date: '2024-01-03',
              ...bar,
              source: 'file:krx-daily',
              ingested_at: '2024-01-04 02:00:00',
            },
          ],
        });
        const report = await describeSources({
          lake,
          env: { MARKETLAKE_SECRET_FRED_API_KEY: 'secret-value-1' },
        });
        const byName = new Map(report.connectors.map((c) => [c.name, c]));
        expect([...byName.keys()]).toEqual([
          'yahoo',
          'yahoo-intraday',
          'stooq',
          'fred',
          'ecb',
          'binance',
          'binance-intraday',
          'upbit',
          'upbit-intraday',
          'krx',
          'data-go-kr',
        ]);
        expect(byName.get('fred')).toMatchObject({
          key: {
            secret: 'fred.api_key',
            env: 'MARKETLAKE_SECRET_FRED_API_KEY',
            required: true,
            configured: true,
          },
          ready: true,
          baseUrl: 'https://api.stlouisfed.org',
        });
        expect(byName.get('krx')).toMatchObject({
          key: { env: 'MARKETLAKE_SECRET_KRX_AUTH_KEY', configured: false },
          ready: false,
        });
        expect(byName.get('yahoo')?.health).toEqual([
          {
            source: 'yahoo',
            dataset: 'bars_1d',
            rows: 2,
            lastIngestedAt: '2024-01-04 01:00:00',
            lastDate: '2024-01-03',
          },
        ]);
        expect(report.others).toEqual([
          {
            source: 'file:krx-daily',
            dataset: 'bars_1d',
            rows: 1,
            lastIngestedAt: '2024-01-04 02:00:00',
            lastDate: '2024-01-03',
          },
        ]);
        expect(JSON.stringify(report)).not.toContain('secret-value-1');

        const { config } = await loadConfig({ project: dir, env: {}, flags: { databaseUrl: url } });
        const app = createServer({
          config,
          store,
          lake,
          logger: silentLogger(),
          startedAt: new Date(),
        });
        try {
          const res = await app.inject({ method: 'GET', url: '/api/sources' });
          expect(res.statusCode).toBe(200);
          const body = res.json<SourcesReport>();
          expect(body.connectors.find((c) => c.name === 'yahoo')?.health[0]?.rows).toBe(2);
          expect(
            body.connectors.every((c) => typeof c.terms === 'string' && c.terms.length > 20),
          ).toBe(true);
        } finally {
          await app.close();
        }
      });
    },
  );
});

describe('marketlake sources (built CLI)', () => {
  it('prints the connectors as JSON and a table, saying which keys are set without printing them', async () => {
    const home = makeTempDir();
    try {
      const env = {
        MARKETLAKE_HOME: path.join(home, 'home'),
        MARKETLAKE_SECRET_KRX_AUTH_KEY: 'krx-secret-42',
        MARKETLAKE_DUCKDB_THREADS: '2',
      };
      const json = await runCli(['sources', '--json'], { cwd: home, env });
      expect(json.code, json.stderr).toBe(0);
      const report = JSON.parse(json.stdout) as SourcesReport;
      expect(report.connectors.find((c) => c.name === 'krx')?.key).toMatchObject({
        configured: true,
      });
      expect(report.connectors.find((c) => c.name === 'fred')?.ready).toBe(false);
      const table = await runCli(['sources'], { cwd: home, env });
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toMatch(
        /krx\s+bars_1d instruments\s+set \(MARKETLAKE_SECRET_KRX_AUTH_KEY\)/,
      );
      expect(table.stdout).toMatch(/fred\s+series_1d\s+MISSING \(MARKETLAKE_SECRET_FRED_API_KEY\)/);
      expect(json.stdout + table.stdout).not.toContain('krx-secret-42');
    } finally {
      removeDir(home);
    }
  });
});
