import type { FastifyInstance } from 'fastify';
import { redactUrl, version } from '../../core/index.js';
import type { Platform } from '../platform.js';

/** `GET /api/health`: version, mode, uptime, metadata backend, lake path. */
export function healthRoutes(app: FastifyInstance, platform: Platform): void {
  app.get('/api/health', () => ({
    status: 'ok',
    version,
    mode: platform.store.dialect === 'sqlite' ? 'embedded' : 'cluster',
    uptimeSeconds: Math.round((Date.now() - platform.startedAt.getTime()) / 1000),
    startedAt: platform.startedAt.toISOString(),
    metadata: { backend: platform.store.dialect, url: redactUrl(platform.store.description) },
    lake: { path: platform.lake.root },
    project: platform.config.project,
    pipelines:
      platform.pipelines === undefined
        ? null
        : {
            scheduler: platform.pipelines.isScheduler ? 'active' : 'standby',
            workerId: platform.pipelines.workerId ?? null,
            runningAttempts: platform.pipelines.runningAttempts,
          },
  }));
}
