import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { openTestPlatform, type TestPlatform } from '../../test/helpers/test-platform.js';
import {
  NOOP_TRACING,
  createMetrics,
  type HttpServerSpanInput,
  type Tracing,
} from '../observe/index.js';
import { keepRequestSpan, SLOW_REQUEST_MS } from './request-observer.js';
import { createServer } from './server.js';

/*
 * API request observation: spans by route pattern with the caller's traceparent, sampled one in
 * N unless caller-traced, failed or slow; durations into the request histogram.
 */

const sqlite = backends.find((b) => b.name === 'sqlite')!;

function recordingTracing(): Tracing & { http: HttpServerSpanInput[] } {
  const http: HttpServerSpanInput[] = [];
  return {
    ...NOOP_TRACING,
    enabled: true,
    url: 'http://collector',
    http,
    httpServerSpan: (h) => http.push(h),
  };
}

describe('keepRequestSpan', () => {
  it('keeps every N-th plain request, and every caller-traced, failed or slow one', () => {
    const plain = [1, 2, 3, 4, 5, 6].map((seen) => keepRequestSpan(seen, 3, false, 200, 5));
    expect(plain).toEqual([false, false, true, false, false, true]);
    expect(keepRequestSpan(1, 3, true, 200, 5)).toBe(true);
    expect(keepRequestSpan(1, 3, false, 500, 5)).toBe(true);
    expect(keepRequestSpan(1, 3, false, 404, 5)).toBe(false);
    expect(keepRequestSpan(1, 3, false, 200, SLOW_REQUEST_MS + 1)).toBe(true);
    expect(keepRequestSpan(1, 1, false, 200, 5)).toBe(true);
  });
});

describe('API request tracing', () => {
  let fixture: TestPlatform;
  beforeAll(async () => {
    fixture = await openTestPlatform(sqlite);
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('emits a server span per request with the route pattern, status and caller', async () => {
    const tracing = recordingTracing();
    const app = createServer({ ...fixture.platform, tracing });
    try {
      const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
      await app.inject({ url: '/api/health', headers: { traceparent, 'user-agent': 'probe/1' } });
      await app.inject({ url: '/api/datasets/bars_1d?x=1' });
      await app.inject({ url: '/api/nowhere' });
      expect(tracing.http.map((h) => [h.method, h.route, h.path, h.statusCode])).toEqual([
        ['GET', '/api/health', '/api/health', 200],
        ['GET', '/api/datasets/:name', '/api/datasets/bars_1d', 200],
        ['GET', undefined, '/api/nowhere', 404],
      ]);
      expect(tracing.http[0]).toMatchObject({ traceparent, userAgent: 'probe/1' });
      for (const h of tracing.http) expect(h.endMs).toBeGreaterThanOrEqual(h.startMs);
    } finally {
      await app.close();
    }
  });

  it('samples plain requests one in N and keeps caller-traced and failed ones', async () => {
    const tracing = recordingTracing();
    const app = createServer({ ...fixture.platform, tracing, httpTraceSampleEvery: 3 });
    app.get('/api/boom', () => {
      throw new Error('boom');
    });
    try {
      const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
      for (let i = 1; i <= 6; i++) await app.inject({ url: `/api/health?i=${i}` });
      await app.inject({ url: '/api/health?traced', headers: { traceparent } });
      await app.inject({ url: '/api/boom' });
      expect(tracing.http.map((h) => [h.path, h.statusCode, h.traceparent])).toEqual([
        ['/api/health', 200, undefined],
        ['/api/health', 200, undefined],
        ['/api/health', 200, traceparent],
        ['/api/boom', 500, undefined],
      ]);
    } finally {
      await app.close();
    }
  });

  it('records durations and spans from one hook', async () => {
    const tracing = recordingTracing();
    const metrics = createMetrics({ processMetrics: false });
    const app = createServer({ ...fixture.platform, tracing, metrics });
    try {
      await app.inject({ url: '/api/health' });
      await app.inject({ url: '/api/nowhere' });
      expect(tracing.http.map((h) => [h.route, h.statusCode])).toEqual([
        ['/api/health', 200],
        [undefined, 404],
      ]);
      const text = (await metrics.scrape()).body;
      expect(text).toMatch(
        /^marketlake_http_request_duration_seconds_count\{method="GET",route="\/api\/health",code="200"\} 1$/m,
      );
      expect(text).toMatch(
        /^marketlake_http_request_duration_seconds_count\{method="GET",route="unmatched",code="404"\} 1$/m,
      );
    } finally {
      await app.close();
    }
  });

  it('adds no hook when tracing is disabled', async () => {
    const calls: unknown[] = [];
    const app = createServer({
      ...fixture.platform,
      tracing: { ...NOOP_TRACING, httpServerSpan: (h) => calls.push(h) },
    });
    try {
      expect((await app.inject({ url: '/api/health' })).statusCode).toBe(200);
      expect(calls).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
