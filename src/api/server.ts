import Fastify, { type FastifyInstance } from 'fastify';
import { MarketlakeError } from '../core/index.js';
import { createMetrics } from '../observe/index.js';
import { httpStatusOf } from './error-status.js';
import { alertRoutes } from './routes/alerts.js';
import type { Platform } from './platform.js';
import { observeRequests } from './request-observer.js';
import { datasetRoutes } from './routes/datasets.js';
import { healthRoutes } from './routes/health.js';
import { marketRoutes } from './routes/market.js';
import { metricsRoutes } from './routes/metrics.js';
import { queryRoutes } from './routes/query.js';
import { resourceRoutes } from './routes/resources.js';
import { runRoutes } from './routes/runs.js';
import { sourcesRoutes } from './routes/sources.js';

/** Builds the HTTP API (routes under /api); the caller listens and closes. */
export function createServer(platform: Platform): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
  const metrics =
    platform.metrics === false
      ? undefined
      : (platform.metrics ?? createMetrics({ logger: platform.logger }));
  // First, so its hook sees every route.
  observeRequests(app, {
    ...(metrics !== undefined ? { metrics } : {}),
    ...(platform.tracing !== undefined ? { tracing: platform.tracing } : {}),
    ...(platform.httpTraceSampleEvery !== undefined
      ? { sampleEvery: platform.httpTraceSampleEvery }
      : {}),
  });
  if (metrics !== undefined) metricsRoutes(app, platform, metrics);
  app.setErrorHandler((err, req, reply) => {
    const status = httpStatusOf(err);
    if (status >= 500) platform.logger.error({ err, url: req.url }, 'request failed');
    const body =
      err instanceof MarketlakeError
        ? err.toJSON()
        : {
            code: status === 404 ? 'NOT_FOUND' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL',
            message: err instanceof Error ? err.message : String(err),
            details: {},
          };
    void reply.code(status).send({ error: body });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({
      error: {
        code: 'NOT_FOUND',
        message: `No route ${req.method} ${req.url}. See GET /api/health.`,
        details: {},
      },
    });
  });
  healthRoutes(app, platform);
  datasetRoutes(app, platform);
  queryRoutes(app, platform);
  marketRoutes(app, platform);
  runRoutes(app, platform);
  resourceRoutes(app, platform);
  sourcesRoutes(app, platform);
  alertRoutes(app, platform);
  return app;
}
