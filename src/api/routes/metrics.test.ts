import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { parseExposition, sampleValue, type PromSample } from '../../../test/helpers/prom-text.js';
import { openTestPlatform, type TestPlatform } from '../../../test/helpers/test-platform.js';
import { createMetrics, type PlatformMetrics } from '../../observe/index.js';
import { createServer } from '../server.js';

/*
 * `GET /metrics` on the API server (Fastify inject, no socket): the exposition, request
 * durations labelled by route pattern (never the raw URL), and the lake collector fed from the
 * catalogue of each metadata backend.
 */

describe.each(backends)('GET /metrics on $name', (backend) => {
  let fixture: TestPlatform;
  let metrics: PlatformMetrics;
  let app: FastifyInstance;

  beforeAll(async () => {
    if (backend.skip) return;
    metrics = createMetrics({ processMetrics: false });
    fixture = await openTestPlatform(backend, { metrics });
    await fixture.platform.lake.createDataset({
      name: 'signals',
      description: 'Test signals',
      columns: [
        { name: 'symbol', type: 'VARCHAR', nullable: false },
        { name: 'score', type: 'DOUBLE' },
      ],
      primaryKey: ['symbol'],
      partitioning: { kind: 'none' },
    });
    await fixture.platform.lake.write('signals', {
      rows: [
        { symbol: 'AAA', score: 1 },
        { symbol: 'BBB', score: 2 },
        { symbol: 'CCC', score: 3 },
      ],
    });
    app = createServer(fixture.platform);
    await app.ready();
  });

  afterAll(async () => {
    if (backend.skip) return;
    await app?.close();
    await fixture?.close();
  });

  async function scrape(): Promise<PromSample[]> {
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parseExposition(res.body);
  }

  it.skipIf(backend.skip)(
    'serves the platform metrics, including what the runtime recorded',
    async () => {
      metrics.runFinished({ job: 'daily', kind: 'schedule', state: 'succeeded' });
      const samples = await scrape();
      expect(sampleValue(samples, 'marketlake_build_info')).toBe(1);
      expect(
        sampleValue(samples, 'marketlake_runs_total', {
          job_name: 'daily',
          kind: 'schedule',
          state: 'succeeded',
        }),
      ).toBe(1);
    },
  );

  it.skipIf(backend.skip)(
    'reports each dataset’s size, files and rows from the catalogue',
    async () => {
      const samples = await scrape();
      const signals = { dataset: 'signals' };
      expect(sampleValue(samples, 'marketlake_lake_dataset_rows', signals)).toBe(3);
      expect(sampleValue(samples, 'marketlake_lake_dataset_files', signals)).toBe(1);
      expect(sampleValue(samples, 'marketlake_lake_dataset_size_bytes', signals)).toBeGreaterThan(
        100,
      );
      expect(sampleValue(samples, 'marketlake_lake_dataset_files', { dataset: 'bars_1d' })).toBe(0);
      expect(metrics.collectorNames()).toEqual(['lake']);
    },
  );

  it.skipIf(backend.skip)(
    'times requests by route pattern and status, unknown URLs as "unmatched"',
    async () => {
      for (const url of [
        '/api/datasets/signals',
        '/api/datasets/bars_1d',
        '/api/datasets/nope',
        '/no/such/path?x=1',
      ]) {
        await app.inject({ method: 'GET', url });
      }
      const samples = await scrape();
      const count = (labels: Record<string, string>) =>
        sampleValue(samples, 'marketlake_http_request_duration_seconds_count', labels);
      expect(count({ method: 'GET', route: '/api/datasets/:name', code: '200' })).toBe(2);
      expect(count({ method: 'GET', route: '/api/datasets/:name', code: '404' })).toBe(1);
      expect(count({ method: 'GET', route: 'unmatched', code: '404' })).toBe(1);
      // Earlier scrapes are requests too.
      expect(count({ method: 'GET', route: '/metrics', code: '200' })).toBeGreaterThanOrEqual(2);
      const routes = new Set(
        samples.filter((s) => s.labels['route']).map((s) => s.labels['route']),
      );
      expect([...routes].sort()).toEqual(['/api/datasets/:name', '/metrics', 'unmatched']);
    },
  );
});

describe('createServer without metrics', () => {
  it('creates its own, with process metrics and the lake collector', async () => {
    const fixture = await openTestPlatform(backends[0]!);
    const app = createServer(fixture.platform);
    try {
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      const samples = parseExposition(res.body);
      expect(sampleValue(samples, 'marketlake_process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(sampleValue(samples, 'marketlake_lake_dataset_files', { dataset: 'bars_1d' })).toBe(0);
    } finally {
      await app.close();
      await fixture.close();
    }
  });

  it('keeps a lake collector the caller registered', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.setCollector('lake', () => ({
      lakeDatasets: [{ dataset: 'mine', bytes: 1, files: 1 }],
    }));
    const fixture = await openTestPlatform(backends[0]!, { metrics });
    const app = createServer(fixture.platform);
    try {
      const samples = parseExposition((await app.inject({ method: 'GET', url: '/metrics' })).body);
      expect(sampleValue(samples, 'marketlake_lake_dataset_files', { dataset: 'mine' })).toBe(1);
      expect(
        sampleValue(samples, 'marketlake_lake_dataset_files', { dataset: 'bars_1d' }),
      ).toBeUndefined();
    } finally {
      await app.close();
      await fixture.close();
    }
  });
});
