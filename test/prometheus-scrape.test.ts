import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/api/index.js';
import { createMetrics } from '../src/observe/index.js';
import { backends } from './helpers/backends.js';
import { prometheusTool } from './helpers/prometheus-tools.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';
import { openTestPlatform, type TestPlatform } from './helpers/test-platform.js';

/*
 * A real Prometheus server (Debian's package) scrapes the API's /metrics every second; the test
 * reads metrics back through Prometheus's HTTP query API. SQLite only: what depends on the
 * metadata backend (the lake collector) is covered on both backends in
 * src/api/routes/metrics.test.ts; this test is about the wire format and the scrape.
 */

const prometheus = prometheusTool('prometheus');
const FRESH_MS = Date.UTC(2024, 2, 15, 21, 5, 0);

interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!prometheus)('Prometheus scrapes the API', () => {
  let dir: string;
  let fixture: TestPlatform;
  let app: FastifyInstance;
  let server: ChildProcess | undefined;
  let promUrl: string;
  let promLog = '';

  beforeAll(async () => {
    dir = makeTempDir();
    const metrics = createMetrics();
    metrics.runFinished({ job: 'daily_bars', kind: 'schedule', state: 'succeeded' });
    metrics.setCollector('runs', () => ({
      activeRuns: 1,
      assetLastSuccess: [{ asset: 'bars_1d', lastSuccessMs: FRESH_MS }],
    }));
    fixture = await openTestPlatform(backends[0]!, { metrics });
    app = createServer(fixture.platform);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const apiPort = (app.server.address() as AddressInfo).port;

    const config = path.join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: marketlake',
        '    scrape_timeout: 1s',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${apiPort}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    server = spawn(
      prometheus!,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout!.on('data', (d: Buffer) => (promLog += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (promLog += d.toString()));
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await app?.close();
    await fixture?.close();
    removeDir(dir);
  });

  /** Runs an instant query; [] while Prometheus is starting or has no data yet. */
  async function query(promql: string): Promise<QueryResult[]> {
    try {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
      if (!res.ok) return [];
      const body = (await res.json()) as { data: { result: QueryResult[] } };
      return body.data.result;
    } catch {
      return [];
    }
  }

  /** Polls `promql` until it returns a series, for up to 40 s. */
  async function eventually(promql: string): Promise<QueryResult[]> {
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline) {
      if (server?.exitCode !== null) throw new Error(`prometheus exited:\n${promLog}`);
      const result = await query(promql);
      if (result.length > 0) return result;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`No result for ${promql} within 40 s. Prometheus log:\n${promLog}`);
  }

  it('scrapes the target as up and serves marketlake metrics back', async () => {
    const up = await eventually('up{job="marketlake"} == 1');
    expect(up[0]!.value[1]).toBe('1');

    const fresh = await eventually('marketlake_asset_last_success_timestamp_seconds');
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.metric).toMatchObject({ asset: 'bars_1d', job: 'marketlake' });
    expect(Number(fresh[0]!.value[1])).toBe(FRESH_MS / 1000);

    // job_name survives the scrape as is: Prometheus's own `job` label does not clash with it.
    const runs = await eventually('marketlake_runs_total');
    expect(runs[0]!.metric).toMatchObject({
      job: 'marketlake',
      job_name: 'daily_bars',
      kind: 'schedule',
      state: 'succeeded',
    });
    expect(runs[0]!.metric['exported_job']).toBeUndefined();

    // Process metrics and the lake collector come through too.
    await eventually('marketlake_process_resident_memory_bytes > 0');
    await eventually('marketlake_lake_dataset_files{dataset="bars_1d"}');
  });

  it('sees a clean scrape: no target error, samples from the whole exposition', async () => {
    await eventually('up{job="marketlake"} == 1');
    const res = await fetch(`${promUrl}/api/v1/targets`);
    const body = (await res.json()) as {
      data: {
        activeTargets: { health: string; lastError: string; labels: Record<string, string> }[];
      };
    };
    const target = body.data.activeTargets.find((t) => t.labels['job'] === 'marketlake');
    expect(target).toMatchObject({ health: 'up', lastError: '' });
    const samples = await eventually('scrape_samples_scraped{job="marketlake"}');
    expect(Number(samples[0]!.value[1])).toBeGreaterThan(50);
  });
});
