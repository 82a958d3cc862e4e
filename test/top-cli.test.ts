import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetaStore } from '../src/meta/index.js';
import type { ResourceTrend } from '../src/pipelines/index.js';
import { backends } from './helpers/backends.js';
import { runCli, type ChildResult } from './helpers/dist.js';
import { insertAttempts } from './helpers/fake-attempts.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';

/*
 * `marketlake top` of the built CLI (`npm test` builds first) over attempts recorded in the
 * home's metadata database, on both backends: the ranking, an asset's trend, anomalies, and
 * usage errors (exit 2) that name the fix.
 */

const HOUR = 3_600_000;
const MiB = 1024 * 1024;

describe.each(backends)('marketlake top on $name', (backend) => {
  let project: string;
  let url: string;
  let spike: string | undefined;

  beforeAll(async () => {
    if (backend.skip) return;
    project = makeTempDir();
    url = backend.url(project);
    const meta = await openMetaStore(url);
    const now = Date.now();
    try {
      await insertAttempts(
        meta,
        Array.from({ length: 8 }, (_, i) => ({
          asset: 'prices',
          finishedMs: now - (20 - i) * HOUR,
          wall: 30,
          cpu: 20,
          rss: 500 * MiB,
          rows: 1000,
          bytes: 4 * MiB,
        })),
      );
      [spike] = await insertAttempts(meta, [
        { asset: 'prices', finishedMs: now - HOUR, wall: 30, cpu: 100, rss: 500 * MiB },
      ]);
      await insertAttempts(meta, [
        { asset: 'universe', finishedMs: now - 3 * HOUR, wall: 2, cpu: 1.5, rss: 80 * MiB },
      ]);
    } finally {
      await meta.close();
    }
  });

  afterAll(async () => {
    if (backend.skip) return;
    await backend.cleanup(url);
    removeDir(project);
  });

  function cli(args: string[]): Promise<ChildResult> {
    return runCli(['--database-url', url, ...args], {
      cwd: project,
      env: { MARKETLAKE_HOME: path.join(project, 'home'), MARKETLAKE_DUCKDB_THREADS: '1' },
    });
  }

  async function ok(args: string[]): Promise<string> {
    const r = await cli(args);
    expect(r.code, `top ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r.stdout;
  }

  it.skipIf(backend.skip)('prints the most expensive assets as a table and as JSON', async () => {
    const table = await ok(['top', '--since', '7d']);
    const lines = table.trim().split('\n');
    expect(lines[0]).toMatch(/^since \S+Z, by cpu$/);
    expect(lines[1]).toMatch(/^asset\s+attempts\s+failed\s+cpu s\s+wall s/);
    expect(lines[3]).toMatch(/^prices\s+9\s+0\s+260\.0\s+270\.0\s+30\.0\s+30\.0\s+500\.0 MiB/);
    expect(lines[3]).toMatch(/new$/);
    expect(lines[4]).toMatch(/^universe\s+1\s+0\s+1\.50\s/);
    const top = JSON.parse(await ok(['top', '--by', 'memory', '--limit', '1', '--json']));
    expect(top.by).toBe('memory');
    expect(top.assets).toHaveLength(1);
    expect(top.assets[0]).toMatchObject({
      asset: 'prices',
      attempts: 9,
      peakRssBytes: { max: 500 * MiB, median: 500 * MiB },
      rows: 8000,
    });
  });

  it.skipIf(backend.skip)("prints an asset's trend and the anomalies", async () => {
    const trend = JSON.parse(
      await ok(['top', 'prices', '--trend', '--since', '2d', '--json']),
    ) as ResourceTrend;
    expect(trend.bucket).toBe('hour');
    expect(trend.points.reduce((s, p) => s + p.attempts, 0)).toBe(9);
    const table = await ok(['top', 'prices', '--trend', '--since', '7d']);
    expect(table.split('\n')[0]).toMatch(/^start\s+attempts\s+failed\s+wall avg s/);
    const anomalies = JSON.parse(await ok(['top', '--anomalies', '--json']));
    expect(anomalies.anomalies).toEqual([
      expect.objectContaining({ attemptId: spike, metric: 'cpu', value: 100, median: 20 }),
    ]);
    expect(await ok(['top', '--anomalies'])).toMatch(/prices.*cpu\s+100\.0\s+20\.0\s+5\.0x/);
  });

  it.skipIf(backend.skip)('exits 2 on bad flags and 1 on an unknown asset', async () => {
    for (const args of [
      ['top', '--since', '7'],
      ['top', '--by', 'disk'],
      ['top', '--trend'],
      ['top', 'prices'],
      ['top', 'prices', '--trend', '--bucket', 'week'],
      ['top', '--anomalies', '--k', '0'],
    ]) {
      const r = await cli(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toMatch(/^error: /);
    }
    const r = await cli(['top', 'nope', '--trend']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PIPELINES_UNKNOWN_ASSET.*No asset "nope"/);
  });
});
