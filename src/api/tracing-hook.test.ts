import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { openTestPlatform, type TestPlatform } from '../../test/helpers/test-platform.js';
import { NOOP_TRACING, type HttpServerSpanInput, type Tracing } from '../observe/index.js';
import { createServer } from './server.js';

/* API request spans: one per request, by route pattern, with the caller's traceparent. */

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
