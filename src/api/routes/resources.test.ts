import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { insertAttempts } from '../../../test/helpers/fake-attempts.js';
import { openTestPlatform, type TestPlatform } from '../../../test/helpers/test-platform.js';
import type { ResourceTop, ResourceTrend } from '../../pipelines/index.js';
import { createServer } from '../server.js';

/* The resource history routes over attempts recorded relative to now (Fastify inject, no socket). */

const HOUR = 3_600_000;
const MiB = 1024 * 1024;

describe.each(backends)('GET /api/resources on $name', (backend) => {
  let fixture: TestPlatform;
  let app: FastifyInstance;
  let spike: string | undefined;
  const now = Date.now();

  beforeAll(async () => {
    if (backend.skip) return;
    fixture = await openTestPlatform(backend);
    const store = fixture.platform.store;
    await insertAttempts(
      store,
      Array.from({ length: 10 }, (_, i) => ({
        asset: 'bars_daily',
        finishedMs: now - (30 - i) * HOUR,
        wall: 20,
        cpu: 10,
        rss: 300 * MiB,
        rows: 5000,
        bytes: 1e6,
      })),
    );
    [spike] = await insertAttempts(store, [
      { asset: 'bars_daily', finishedMs: now - HOUR, wall: 90, cpu: 12, rss: 300 * MiB },
    ]);
    await insertAttempts(store, [
      { asset: 'factors', finishedMs: now - 2 * HOUR, wall: 5, cpu: 400, rss: 2000 * MiB },
      { asset: 'factors', finishedMs: now - 9 * 86_400_000, wall: 5, cpu: 100 },
    ]);
    app = createServer(fixture.platform);
    await app.ready();
  });

  afterAll(async () => {
    if (backend.skip) return;
    await app?.close();
    await fixture?.close();
  });

  it.skipIf(backend.skip)('ranks the most expensive assets over a period', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/resources/top?since=7d&by=cpu' });
    expect(res.statusCode).toBe(200);
    const body = res.json<ResourceTop>();
    expect(body.by).toBe('cpu');
    expect(body.assets.map((a) => [a.asset, a.cpuSeconds])).toEqual([
      ['factors', 400],
      ['bars_daily', 112],
    ]);
    expect(body.assets[0]?.trend).toEqual({
      metric: 'cpu',
      current: 400,
      previous: 100,
      change: 3,
    });
    expect(body.assets[1]).toMatchObject({ attempts: 11, rows: 50_000, failures: 0 });
    const wall = await app.inject({ url: '/api/resources/top?since=2d&by=wall&limit=1' });
    expect(wall.json<ResourceTop>().assets.map((a) => a.asset)).toEqual(['bars_daily']);
  });

  it.skipIf(backend.skip)('serves an asset trend in hour buckets', async () => {
    const res = await app.inject({ url: '/api/resources/bars_daily/trend?since=2d&bucket=hour' });
    expect(res.statusCode).toBe(200);
    const body = res.json<ResourceTrend>();
    expect(body.bucket).toBe('hour');
    expect(body.points.length).toBeGreaterThanOrEqual(48);
    const total = body.points.reduce((s, p) => s + p.attempts, 0);
    expect(total).toBe(11);
    const daily = await app.inject({ url: '/api/resources/bars_daily/trend' });
    expect(daily.json<ResourceTrend>().points.length).toBeGreaterThanOrEqual(30);
  });

  it.skipIf(backend.skip)('lists anomalies over k times the recent median', async () => {
    const res = await app.inject({ url: '/api/resources/anomalies?k=3&window=20' });
    expect(res.statusCode).toBe(200);
    expect(res.json().anomalies).toEqual([
      expect.objectContaining({ attemptId: spike, metric: 'wall', value: 90, median: 20 }),
    ]);
    const strict = await app.inject({ url: '/api/resources/anomalies?k=5' });
    expect(strict.json().anomalies).toEqual([]);
  });

  it.skipIf(backend.skip)(
    'rejects bad parameters and unknown assets with their codes',
    async () => {
      for (const url of [
        '/api/resources/top?since=7x',
        '/api/resources/top?by=disk',
        '/api/resources/top?limit=0',
        '/api/resources/bars_daily/trend?bucket=week',
        '/api/resources/anomalies?k=abc',
        '/api/resources/anomalies?k=0.5',
      ]) {
        const res = await app.inject({ url });
        expect([url, res.statusCode, res.json().error.code]).toEqual([url, 400, 'USAGE']);
      }
      const res = await app.inject({ url: '/api/resources/nope/trend' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('PIPELINES_UNKNOWN_ASSET');
    },
  );
});
