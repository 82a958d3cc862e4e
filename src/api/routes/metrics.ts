import type { FastifyInstance } from 'fastify';
import type { PlatformMetrics } from '../../observe/index.js';
import { LAKE_COLLECTOR_MAX_AGE_MS, lakeCollector } from '../lake-collector.js';
import type { Platform } from '../platform.js';

/**
 * `GET /metrics` (Prometheus text format; request durations are recorded by
 * request-observer.ts). Registers the `lake` collector (dataset sizes) unless the caller's
 * metrics already have one.
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
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).send(body);
  });
}
