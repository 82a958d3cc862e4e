import type { FastifyInstance } from 'fastify';
import type { PlatformMetrics } from '../../observe/index.js';
import { LAKE_COLLECTOR_MAX_AGE_MS, lakeCollector } from '../lake-collector.js';
import type { Platform } from '../platform.js';

/** Route label of requests no route matched (404s): one series however many URLs are probed. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * `GET /metrics` (Prometheus text format) and a hook recording every request's duration by
 * method, route pattern and status. Registers the `lake` collector (dataset sizes) unless the
 * caller's metrics already have one.
 */
export function metricsRoutes(
  app: FastifyInstance,
  platform: Platform,
  metrics: PlatformMetrics,
): void {
  if (!metrics.collectorNames().includes('lake')) {
    metrics.setCollector('lake', lakeCollector(platform.lake), {
      maxAgeMs: LAKE_COLLECTOR_MAX_AGE_MS,
    });
  }
  app.addHook('onResponse', (req, reply, done) => {
    metrics.httpRequest({
      method: req.method,
      // The pattern (`/api/datasets/:name`), never the URL: raw paths would be unbounded labels.
      route: req.routeOptions.url ?? UNMATCHED_ROUTE,
      status: reply.statusCode,
      durationSeconds: reply.elapsedTime / 1000,
    });
    done();
  });
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).send(body);
  });
}
