import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import {
  OUTBOUND_HTTP_CHANNEL,
  observeOutboundHttp,
  outboundErrorType,
  reportOutboundHttp,
  type OutboundHttpRequest,
} from './outbound-http.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');
const outcome = { method: 'get', startMs: T0, endMs: T0 + 25, resendCount: 0 };

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  stop = undefined;
});

function observe(): OutboundHttpRequest[] {
  const seen: OutboundHttpRequest[] = [];
  stop = observeOutboundHttp((r) => seen.push(r));
  return seen;
}

describe('outbound HTTP reports', () => {
  it('keep host, port and path, never the query string, fragment or credentials', () => {
    const seen = observe();
    reportOutboundHttp('https://user:pw@api.example.com/v1/obs?api_key=s3cret#frag', {
      ...outcome,
      status: 200,
      source: 'fred',
    });
    reportOutboundHttp(new URL('http://127.0.0.1:8080/a%20b?x=1'), { ...outcome, status: 404 });
    reportOutboundHttp('http://[::1]/ping', { ...outcome, errorType: 'ECONNREFUSED' });
    expect(seen).toEqual([
      {
        method: 'GET',
        scheme: 'https',
        host: 'api.example.com',
        port: 443,
        path: '/v1/obs',
        status: 200,
        startMs: T0,
        endMs: T0 + 25,
        resendCount: 0,
        source: 'fred',
      },
      expect.objectContaining({ scheme: 'http', host: '127.0.0.1', port: 8080, path: '/a%20b' }),
      expect.objectContaining({ host: '::1', port: 80, errorType: 'ECONNREFUSED' }),
    ]);
    expect(JSON.stringify(seen)).not.toMatch(/s3cret|pw|frag|x=1/);
  });

  it('publish nothing without a subscriber and stop when the subscriber stops', () => {
    expect(diagnostics.hasSubscribers(OUTBOUND_HTTP_CHANNEL)).toBe(false);
    const seen = observe();
    expect(diagnostics.hasSubscribers(OUTBOUND_HTTP_CHANNEL)).toBe(true);
    reportOutboundHttp('not a url', outcome);
    stop?.();
    stop = undefined;
    reportOutboundHttp('https://api.example.com/', outcome);
    expect(seen).toEqual([]);
    expect(diagnostics.hasSubscribers(OUTBOUND_HTTP_CHANNEL)).toBe(false);
  });

  it('name failures in few values', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(outboundErrorType(refused)).toBe('ECONNREFUSED');
    expect(outboundErrorType(new DOMException('timed out', 'TimeoutError'))).toBe('timeout');
    expect(outboundErrorType(new DOMException('aborted', 'AbortError'))).toBe('AbortError');
    expect(outboundErrorType(new RangeError('bad'))).toBe('RangeError');
    expect(outboundErrorType('oops')).toBe('_OTHER');
  });
});
