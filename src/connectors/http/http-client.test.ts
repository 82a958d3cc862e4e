import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { observeOutboundHttp, type OutboundHttpRequest } from '../../core/index.js';
import { startFixtureServer, type FixtureServer } from '../testing/fixture-server.js';
import {
  HttpClient,
  retryAfterMs,
  type ConnectorListener,
  type HttpClientOptions,
} from './http-client.js';

let server: FixtureServer;
const events: { kind: string; data: Record<string, unknown> }[] = [];
const listener: ConnectorListener = {
  onRequest: (e) => events.push({ kind: 'request', data: e }),
  onRetry: (e) => events.push({ kind: 'retry', data: e }),
  onRateLimitWait: (e) => events.push({ kind: 'wait', data: e }),
};

function client(options: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    source: 'test',
    baseDelayMs: 5,
    maxDelayMs: 20,
    timeoutMs: 2000,
    listener,
    random: () => 0.5,
    ...options,
  });
}

async function errorOf(
  p: Promise<unknown>,
): Promise<{ code: string; retryable: boolean; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; retryable: boolean; message: string };
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  events.length = 0;
  server = await startFixtureServer([
    { path: '/data.json', body: { ok: true, values: [1, 2, 3] } },
    { path: '/data.csv', body: 'Date,Close\n2024-01-02,10\n2024-01-03,11\n' },
  ]);
});
afterEach(async () => server.close());

describe('HttpClient', () => {
  it('honours Retry-After on 429, reports the wait, then succeeds', async () => {
    server.fail({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    const http = client();
    const started = performance.now();
    const { data } = await http.getJson(`${server.url}/data.json`);
    expect(data).toEqual({ ok: true, values: [1, 2, 3] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests[1]!.atMs - server.requests[0]!.atMs).toBeGreaterThanOrEqual(950);
    expect(http.stats).toMatchObject({
      requests: 2,
      retries: 1,
      rateLimitWaits: 1,
      rateLimitWaitMs: 1000,
    });
    expect(events.filter((e) => e.kind === 'wait')).toEqual([
      { kind: 'wait', data: expect.objectContaining({ source: 'test', waitMs: 1000 }) },
    ]);
    expect(events.filter((e) => e.kind === 'request').map((e) => e.data['status'])).toEqual([
      429, 200,
    ]);
  });

  it('treats 418 (Binance IP ban) like a rate limit and fails at once when Retry-After exceeds the cap', async () => {
    server.fail({ kind: 'status', status: 418, headers: { 'retry-after': '7200' } });
    const err = await errorOf(
      client({ maxRetryAfterMs: 60_000 }).getJson(`${server.url}/data.json`),
    );
    expect(err.code).toBe('CONNECTOR_RATE_LIMITED');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/418.*IP banned.*Retry-After 7200 s.*longer than maxRetryAfterMs/);
    expect(server.requests).toHaveLength(1);
  });

  it('retries 5xx with exponential backoff and gives up with the last error', async () => {
    server.fail({ kind: 'status', status: 503 }, { times: 2 });
    const http = client();
    await http.getJson(`${server.url}/data.json`);
    const retries = events.filter((e) => e.kind === 'retry').map((e) => e.data);
    expect(retries.map((r) => [r['attempt'], r['delayMs'], r['code']])).toEqual([
      [1, 4, 'CONNECTOR_HTTP_ERROR'],
      [2, 8, 'CONNECTOR_HTTP_ERROR'],
    ]);
    server.fail({ kind: 'status', status: 500 }, { times: 3 });
    const err = await errorOf(client({ maxAttempts: 3 }).getJson(`${server.url}/data.json`));
    expect(err).toMatchObject({ code: 'CONNECTOR_HTTP_ERROR', retryable: true });
    expect(err.message).toContain('answered 500');
  });

  it('times out a slow response, retries it, and reports CONNECTOR_TIMEOUT when every attempt is slow', async () => {
    server.fail({ kind: 'delay', ms: 1000 });
    const http = client({ timeoutMs: 150 });
    expect((await http.getJson(`${server.url}/data.json`)).data).toMatchObject({ ok: true });
    expect(events.find((e) => e.kind === 'request')?.data['error']).toBe('timeout');
    server.fail({ kind: 'delay', ms: 1000 }, { times: 2 });
    const err = await errorOf(
      client({ timeoutMs: 150, maxAttempts: 2 }).getJson(`${server.url}/data.json`),
    );
    expect(err).toMatchObject({ code: 'CONNECTOR_TIMEOUT', retryable: true });
  });

  it('retries a body cut off mid-transfer (declared length) and a body that ends early', async () => {
    server.fail({ kind: 'truncate', bytes: 10 });
    const a = client();
    expect((await a.getJson(`${server.url}/data.json`)).data).toMatchObject({ ok: true });
    expect(events.find((e) => e.kind === 'retry')?.data['code']).toBe('CONNECTOR_NETWORK_ERROR');
    events.length = 0;
    server.fail({ kind: 'truncate', bytes: 10, declareLength: false });
    expect((await client().getJson(`${server.url}/data.json`)).data).toMatchObject({ ok: true });
    expect(events.find((e) => e.kind === 'retry')?.data['code']).toBe('CONNECTOR_BAD_PAYLOAD');
    server.fail({ kind: 'truncate', bytes: 20, declareLength: false }, { times: 2 });
    const err = await errorOf(client({ maxAttempts: 2 }).getCsv(`${server.url}/data.csv`));
    expect(err.code).toBe('CONNECTOR_BAD_PAYLOAD');
    expect(err.message).toMatch(/CSV that does not parse/);
  });

  it('rejects an HTML page served with 200 without retrying it', async () => {
    server.fail({ kind: 'html' });
    const err = await errorOf(client().getJson(`${server.url}/data.json`));
    expect(err).toMatchObject({ code: 'CONNECTOR_BAD_PAYLOAD', retryable: false });
    expect(err.message).toMatch(/HTML page instead of JSON/);
    expect(server.requests).toHaveLength(1);
    server.fail({ kind: 'html' });
    expect((await errorOf(client().getCsv(`${server.url}/data.csv`))).message).toMatch(
      /HTML page instead of CSV/,
    );
  });

  it('reports a connection reset as a retryable network error', async () => {
    server.fail({ kind: 'reset' }, { times: 2 });
    const err = await errorOf(client({ maxAttempts: 2 }).getJson(`${server.url}/data.json`));
    expect(err).toMatchObject({ code: 'CONNECTOR_NETWORK_ERROR', retryable: true });
  });

  it('does not retry a 404 and says what to check', async () => {
    const err = await errorOf(client().getJson(`${server.url}/missing`));
    expect(err).toMatchObject({ code: 'CONNECTOR_HTTP_ERROR', retryable: false });
    expect(err.message).toMatch(/answered 404.*Check the symbol/);
    expect(server.requests).toHaveLength(1);
  });

  it('never reports secrets: key parameters and values are redacted in events and errors', async () => {
    const secret = 'sk-live-12345';
    server.fail({ kind: 'status', status: 400, body: `{"error":"bad key ${secret}"}` });
    const err = await errorOf(
      client({ secretValues: [secret] }).getJson(
        `${server.url}/data.json?series_id=X&api_key=${secret}`,
      ),
    );
    expect(err.message).not.toContain(secret);
    expect(err.message).toContain('api_key=***');
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(events[0]?.data['url']).toBe(`${server.url}/data.json?series_id=X&api_key=***`);
  });

  it('reports every try for traces: status, retries, failures, source, no query string', async () => {
    const seen: OutboundHttpRequest[] = [];
    const stop = observeOutboundHttp((r) => seen.push(r));
    try {
      server.fail({ kind: 'status', status: 503 });
      const secret = 'sk-live-12345';
      await client({ secretValues: [secret] }).getJson(`${server.url}/data.json?api_key=${secret}`);
      server.fail({ kind: 'reset' });
      await client().getJson(`${server.url}/data.json`);
      await errorOf(client().getJson(`${server.url}/missing`));
    } finally {
      stop();
    }
    const port = Number(new URL(server.url).port);
    const where = { method: 'GET', scheme: 'http', host: '127.0.0.1', port, source: 'test' };
    expect(seen).toMatchObject([
      { ...where, path: '/data.json', status: 503, resendCount: 0, errorType: '503' },
      { ...where, path: '/data.json', status: 200, resendCount: 1 },
      { ...where, path: '/data.json', resendCount: 0, errorType: 'UND_ERR_SOCKET' },
      { ...where, path: '/data.json', status: 200, resendCount: 1 },
      { ...where, path: '/missing', status: 404, resendCount: 0, errorType: '404' },
    ]);
    expect(seen[1]?.errorType).toBeUndefined();
    expect(seen[2]?.status).toBeUndefined();
    expect(seen[2]?.error).toMatch(/fetch failed|socket|other side closed/i);
    for (const r of seen) expect(r.endMs).toBeGreaterThanOrEqual(r.startMs);
    expect(JSON.stringify(seen)).not.toContain('sk-live');
  });

  it('pauses when a quota header says nothing is left, and paces to minIntervalMs', async () => {
    server.route({
      path: '/quota',
      body: [],
      headers: { 'remaining-req': 'group=candles; min=599; sec=0' },
    });
    const http = client({
      minIntervalMs: 100,
      quota: (h) =>
        h.get('remaining-req')?.includes('sec=0')
          ? { waitMs: 300, reason: 'Remaining-Req sec=0' }
          : undefined,
    });
    await http.getJson(`${server.url}/quota`);
    await http.getJson(`${server.url}/data.json`);
    await http.getJson(`${server.url}/data.json`);
    const [a, b, c] = server.requests.map((r) => r.atMs);
    expect(b! - a!).toBeGreaterThanOrEqual(290);
    expect(c! - b!).toBeGreaterThanOrEqual(95);
    expect(events.filter((e) => e.kind === 'wait').map((e) => e.data['reason'])).toEqual([
      'Remaining-Req sec=0',
    ]);
  });
});

describe('retryAfterMs', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:10 GMT', Date.parse('2025-01-01T00:00:00Z'))).toBe(
      10_000,
    );
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
