/**
 * Traces API requests: one server span per request, named by method and route pattern, joining
 * the caller's trace when it sends `traceparent`. Registered only when tracing is enabled, so an
 * untraced server pays nothing per request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Tracing } from '../observe/index.js';

/** Adds the request-span hooks to `app` (before the routes, so every route is covered). */
export function registerTracingHook(app: FastifyInstance, tracing: Tracing): void {
  if (!tracing.enabled) return;
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
    const userAgent = req.headers['user-agent'];
    const q = req.url.indexOf('?');
    tracing.httpServerSpan({
      method: req.method,
      route: req.routeOptions.url,
      path: q < 0 ? req.url : req.url.slice(0, q),
      statusCode: reply.statusCode,
      startMs,
      endMs: performance.timeOrigin + performance.now(),
      ...(typeof traceparent === 'string' ? { traceparent } : {}),
      ...(userAgent !== undefined ? { userAgent } : {}),
    });
  });
}
