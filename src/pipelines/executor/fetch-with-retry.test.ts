import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { observeOutboundHttp, type OutboundHttpRequest } from '../../core/index.js';
import { fetchWithRetry, retryAfterMs } from './fetch-with-retry.js';

let server: Server | undefined;

/** Serves the given statuses in turn (the last one repeats); returns the URL and a hit counter. */
async function serve(
  responses: { status: number; headers?: Record<string, string> }[],
): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  server = createServer((_req, res) => {
    const next = responses[Math.min(hits, responses.length - 1)]!;
    hits += 1;
    res.writeHead(next.status, next.headers).end(`reply ${hits}`);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, hits: () => hits };
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

const waits: number[] = [];
const settings = {
  sleep: (ms: number): Promise<void> => {
    waits.push(ms);
    return Promise.resolve();
  },
  random: () => 0.5,
};

describe('fetchWithRetry', () => {
  afterEach(() => void waits.splice(0));

  it('retries 5xx and 429 with backoff and returns the first success', async () => {
    const { url, hits } = await serve([{ status: 503 }, { status: 502 }, { status: 200 }]);
    const retries: string[] = [];
    const response = await fetchWithRetry(
      url,
      { attempts: 4 },
      {
        ...settings,
        onRetry: ({ reason }) => retries.push(reason),
      },
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('reply 3');
    expect(hits()).toBe(3);
    expect(retries).toEqual(['HTTP 503', 'HTTP 502']);
    expect(waits).toEqual([500, 1000]);
  });

  it('honours Retry-After and gives up after the attempts, returning the last response', async () => {
    const { url, hits } = await serve([{ status: 429, headers: { 'retry-after': '2' } }]);
    const response = await fetchWithRetry(url, { attempts: 3 }, settings);
    expect(response.status).toBe(429);
    expect(hits()).toBe(3);
    expect(waits).toEqual([2000, 2000]);
  });

  it('does not retry 4xx other than 429', async () => {
    const { url, hits } = await serve([{ status: 404 }]);
    expect((await fetchWithRetry(url, {}, settings)).status).toBe(404);
    expect(hits()).toBe(1);
  });

  it('retries network errors, then throws', async () => {
    const { url } = await serve([{ status: 200 }]);
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    await expect(fetchWithRetry(url, { attempts: 2 }, settings)).rejects.toThrow(/fetch failed/);
    expect(waits).toEqual([500]);
  });

  it('stops at once when the attempt is aborted', async () => {
    const { url, hits } = await serve([{ status: 503 }]);
    const controller = new AbortController();
    controller.abort(new Error('attempt canceled'));
    await expect(
      fetchWithRetry(url, { attempts: 5 }, { ...settings, signal: controller.signal }),
    ).rejects.toThrow(/attempt canceled/);
    expect(hits()).toBe(0);
  });

  it('reports every try for traces, with its status or error and no query string', async () => {
    const seen: OutboundHttpRequest[] = [];
    const stop = observeOutboundHttp((r) => seen.push(r));
    try {
      const { url } = await serve([{ status: 503 }, { status: 200 }]);
      await fetchWithRetry(`${url}quotes?token=abc`, { method: 'post', attempts: 2 }, settings);
      await new Promise((resolve) => server!.close(resolve));
      // A server closed before any request: nothing listens on its port.
      const closed = await serve([{ status: 200 }]);
      await new Promise((resolve) => server!.close(resolve));
      server = undefined;
      await expect(fetchWithRetry(closed.url, { attempts: 1 }, settings)).rejects.toThrow();
    } finally {
      stop();
    }
    expect(seen).toMatchObject([
      { method: 'POST', path: '/quotes', status: 503, resendCount: 0, errorType: '503' },
      { method: 'POST', path: '/quotes', status: 200, resendCount: 1 },
      { method: 'GET', path: '/', resendCount: 0, errorType: 'ECONNREFUSED' },
    ]);
    expect(seen[1]?.errorType).toBeUndefined();
    expect(seen[2]?.error).toBe('fetch failed');
    expect(seen[2]?.source).toBeUndefined();
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    const now = Date.parse('2024-01-02T00:00:00Z');
    expect(retryAfterMs('Tue, 02 Jan 2024 00:00:05 GMT', now)).toBe(5000);
  });
});
