/**
 * Traces API requests: one server span per request, named by method and route pattern, joining
 * the caller's trace when it sends `traceparent`. Registered only when tracing is enabled, so an
 * untraced server pays nothing per request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Tracing } from '../observe/index.js';

/**
 * Adds the request-span hooks to `app` (before the routes, so every route is covered). With
 * `sampleEvery` N > 1 only every N-th plain request gets a span; a request that continues a
 * caller's trace (`traceparent`), fails (5xx) or takes over a second always does. A span per
 * request at thousands of requests a second costs a quarter of the throughput; one in ten, a few
 * percent (BENCHMARKS.md, observability overhead).
 */
export function registerTracingHook(app: FastifyInstance, tracing: Tracing, sampleEvery = 1): void {
  if (!tracing.enabled) return;
  let seen = 0;
  const started = new WeakMap<FastifyRequest, number>();
  app.addHook('onRequest', (req, _reply, done) => {
    started.set(req, performance.timeOrigin + performance.now());
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    done();
    const startMs = started.get(req);
    if (startMs === undefined) return;
    const traceparent = req.headers['traceparent'];
    const endMs = performance.timeOrigin + performance.now();
    seen = (seen + 1) % Math.max(1, sampleEvery);
    const always =
      typeof traceparent === 'string' || reply.statusCode >= 500 || endMs - startMs > 1000;
    if (!always && seen !== 0) return;
    const userAgent = req.headers['user-agent'];
    const q = req.url.indexOf('?');
    tracing.httpServerSpan({
      method: req.method,
      route: req.routeOptions.url,
      path: q < 0 ? req.url : req.url.slice(0, q),
      statusCode: reply.statusCode,
      startMs,
      endMs,
      ...(typeof traceparent === 'string' ? { traceparent } : {}),
      ...(userAgent !== undefined ? { userAgent } : {}),
    });
  });
}
