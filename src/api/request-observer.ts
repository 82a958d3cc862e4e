/**
 * Observes API requests once they are answered: the duration of each into the request histogram
 * (by method, route pattern and status) and, when tracing is on, a server span for the requests
 * the sampling rules keep. One `onResponse` hook does both and nothing runs before the response:
 * with an `onResponse` hook Fastify times every request from its arrival (`reply.elapsedTime`),
 * so the start of a span is derived from that. A request that is not kept costs a counter and
 * three comparisons; its span is never built. Without metrics and tracing no hook is added.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PlatformMetrics, Tracing } from '../observe/index.js';

/** Route label of requests no route matched (404s): one series however many URLs are probed. */
export const UNMATCHED_ROUTE = 'unmatched';

/** A request slower than this always gets a span, whatever the sampling. */
export const SLOW_REQUEST_MS = 1000;

/** What `observeRequests` records into. */
export interface RequestObservers {
  /** Request durations; absent: none recorded. */
  readonly metrics?: PlatformMetrics;
  /** Request spans; absent or disabled: none. */
  readonly tracing?: Tracing;
  /**
   * Trace one plain request in this many (default 1: all). A request that continues a caller's
   * trace (`traceparent`), fails (5xx) or takes over `SLOW_REQUEST_MS` is always traced.
   */
  readonly sampleEvery?: number;
}

/**
 * Whether the `seen`-th request (counting from 1) gets a span: every `sampleEvery`-th, and every
 * one that is caller-traced, failed or slow.
 */
export function keepRequestSpan(
  seen: number,
  sampleEvery: number,
  callerTraced: boolean,
  statusCode: number,
  elapsedMs: number,
): boolean {
  return (
    seen % sampleEvery === 0 || callerTraced || statusCode >= 500 || elapsedMs > SLOW_REQUEST_MS
  );
}

/** Adds the request hook to `app` (before the routes, so every route is covered). */
export function observeRequests(app: FastifyInstance, observers: RequestObservers): void {
  const metrics = observers.metrics;
  const tracing = observers.tracing?.enabled === true ? observers.tracing : undefined;
  if (metrics === undefined && tracing === undefined) return;
  const sampleEvery = Math.max(1, Math.floor(observers.sampleEvery ?? 1));
  let seen = 0;
  app.addHook('onResponse', (req, reply, done) => {
    done();
    const elapsedMs = reply.elapsedTime;
    // The pattern (`/api/datasets/:name`), never the URL: raw paths would be unbounded labels.
    const route = req.routeOptions.url;
    metrics?.httpRequest({
      method: req.method,
      route: route ?? UNMATCHED_ROUTE,
      status: reply.statusCode,
      durationSeconds: elapsedMs / 1000,
    });
    if (tracing === undefined) return;
    seen = seen === sampleEvery ? 1 : seen + 1;
    const traceparent = req.headers['traceparent'];
    const traced = typeof traceparent === 'string';
    if (keepRequestSpan(seen, sampleEvery, traced, reply.statusCode, elapsedMs))
      emitSpan(tracing, req, reply, route, elapsedMs, traced ? traceparent : undefined);
  });
}

function emitSpan(
  tracing: Tracing,
  req: FastifyRequest,
  reply: FastifyReply,
  route: string | undefined,
  elapsedMs: number,
  traceparent: string | undefined,
): void {
  const endMs = performance.timeOrigin + performance.now();
  const userAgent = req.headers['user-agent'];
  const q = req.url.indexOf('?');
  tracing.httpServerSpan({
    method: req.method,
    route,
    path: q < 0 ? req.url : req.url.slice(0, q),
    statusCode: reply.statusCode,
    startMs: endMs - elapsedMs,
    endMs,
    ...(traceparent !== undefined ? { traceparent } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
  });
}
