import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './helpers/dist.js';
import { sharedFile } from './helpers/shared-data.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';
import { killStarted, startUp, stopWith } from './helpers/up-process.js';

/*
 * JOURNEY step 1 and 2 with the demo project as `npm start` runs it (on a copy): the synthetic
 * feed drops vendor files into the inbox, the inbox pipelines import them (the planted bad rows
 * quarantined with file and line), the originals are archived, and the quality checks run.
 */

let project: string;
let home: string;

beforeEach(() => {
  const dir = makeTempDir();
  project = path.join(dir, 'demo');
  cpSync(path.join(repoRoot, 'examples', 'demo'), project, { recursive: true });
  rmSync(path.join(project, '.marketlake'), { recursive: true, force: true });
  for (const f of readdirSync(path.join(project, 'inbox')))
    if (f !== '.gitkeep') rmSync(path.join(project, 'inbox', f), { recursive: true, force: true });
  home = path.join(dir, 'home');
  mkdirSync(path.join(project, 'inbox', 'krx'), { recursive: true });
});

afterEach(() => {
  killStarted();
  removeDir(path.dirname(project));
});

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const out = await runCli(['lake', 'query', sql, '--json', '--project', project], {
    env: { MARKETLAKE_HOME: home },
  });
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as Record<string, unknown>[];
}

describe('the demo project', () => {
  it('ingests the synthetic feed through the inbox, quarantines the planted rows and runs checks', async () => {
    const up = await startUp(project, home);
    try {
      expect(up.output().stdout).toContain('SYNTHETIC demo market');
      const deadline = Date.now() + 150_000;
      let bars: Record<string, unknown> | undefined;
      for (;;) {
        [bars] = await query(
          'SELECT count(*) AS n, count(DISTINCT symbol) AS symbols FROM bars_1d',
        );
        if (Number(bars?.['n']) > 240_000) break;
        if (Date.now() > deadline) throw new Error(`only ${String(bars?.['n'])} bars ingested`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(Number(bars?.['symbols'])).toBe(102);
      const archive = path.join(project, 'inbox', 'archive');
      const archived = readdirSync(archive, { recursive: true }).map(String);
      expect(archived.filter((f) => f.endsWith('.csv')).length).toBeGreaterThan(40);
      const quarantined = await runCli(['quarantine', '--json', '--project', project], {
        env: { MARKETLAKE_HOME: home },
      });
      const rows = JSON.parse(quarantined.stdout) as {
        reason: string;
        line: number;
        sourceFile: string;
      }[];
      expect(rows.map((r) => r.reason)).toEqual(
        expect.arrayContaining(['high < low', 'volume is negative', 'close is blank']),
      );
      for (const r of rows) {
        expect(r.line).toBeGreaterThan(1);
        expect(r.sourceFile).toContain(`${path.sep}archive${path.sep}`);
      }
      const checks = await query(
        `SELECT "check", sum(failing_count) AS failing FROM check_runs GROUP BY 1 HAVING sum(failing_count) > 0`,
      );
      expect(checks.map((c) => c['check'])).toEqual(expect.arrayContaining(['zscore_move']));
      // JOURNEY step 2: a real KRX vendor file (Korean names, YYYYMMDD dates) with three bad rows.
      const real = gunzipSync(readFileSync(sharedFile('krx/005930_D.csv.gz') ?? '')).toString(
        'utf8',
      );
      const lines = real.trimEnd().split('\n');
      const recent = [lines[0] ?? '', ...lines.slice(-250)];
      recent[10] = (recent[10] ?? '').replace(/^(\d{8}),\d+/, '$1,abc'); // unparsable open
      recent[20] = (recent[20] ?? '').replace(/^\d{8}/, '20231399'); // no such date
      recent[30] = (recent[30] ?? '').replace(/,(\d+),(\d+),(\d+),(\d+),/, ',$1,$2,$3,-5,'); // negative volume
      writeFileSync(path.join(project, 'inbox', 'krx', '005930.csv'), recent.join('\n') + '\n');
      let samsung: { date: string; close: number }[] = [];
      for (;;) {
        const out = await runCli(
          ['bars', '005930', '--from', '2023-01-01', '--json', '--project', project],
          { env: { MARKETLAKE_HOME: home } },
        );
        if (out.code === 0) samsung = JSON.parse(out.stdout) as { date: string; close: number }[];
        if (samsung.length > 0) break;
        if (Date.now() > deadline + 60_000) throw new Error(`no 005930 bars: ${out.stderr}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(samsung.length).toBeGreaterThan(200);
      const bad = (
        JSON.parse(
          (
            await runCli(['quarantine', '--json', '--project', project], {
              env: { MARKETLAKE_HOME: home },
            })
          ).stdout,
        ) as { line: number; sourceFile: string }[]
      ).filter((r) => r.sourceFile.includes('005930.csv'));
      expect(bad.map((r) => r.line).sort((a, b) => a - b)).toEqual([11, 21, 31]);
      expect(
        readdirSync(path.join(project, 'inbox', 'krx', 'archive'), { recursive: true })
          .map(String)
          .some((f) => f.endsWith('005930.csv')),
      ).toBe(true);
      const failedRuns = await runCli(
        ['runs', '--state', 'failed', '--json', '--project', project],
        {
          env: { MARKETLAKE_HOME: home },
        },
      );
      expect((JSON.parse(failedRuns.stdout) as { runs: unknown[] }).runs).toEqual([]);
    } finally {
      await stopWith(up, 'SIGINT');
    }
  }, 240_000);

  it('fails an inbox asset run by hand at once: no file, one attempt, the reason', async () => {
    const out = await runCli(
      ['run', 'demo_instruments', 'krx_vendor_files', '--wait', '--json', '--project', project],
      { env: { MARKETLAKE_HOME: home } },
    );
    expect(out.code, out.stderr).toBe(1);
    const run = JSON.parse(out.stdout) as {
      state: string;
      attempts: { asset: string; attempt: number; error: { code: string; message: string } }[];
    };
    expect(run.state).toBe('failed');
    expect(run.attempts.map((a) => [a.asset, a.attempt]).sort()).toEqual([
      ['demo_instruments', 1],
      ['krx_vendor_files', 1],
    ]);
    const byAsset = new Map(run.attempts.map((a) => [a.asset, a.error]));
    expect(byAsset.get('demo_instruments')).toMatchObject({
      code: 'PIPELINES_NON_RETRYABLE',
      message: expect.stringContaining('demo_instruments runs on files dropped into inbox/.'),
    });
    expect(byAsset.get('krx_vendor_files')).toMatchObject({
      code: 'PIPELINES_NON_RETRYABLE',
      message: expect.stringContaining('krx_vendor_files runs on files dropped into inbox/krx/.'),
    });
  }, 120_000);
});
