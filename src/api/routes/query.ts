import type { FastifyInstance } from 'fastify';
import { UsageError } from '../../core/index.js';
import type { Platform } from '../platform.js';

/** Read-only SQL, quarantine listing and lake maintenance. */
export function queryRoutes(app: FastifyInstance, { lake, config }: Platform): void {
  app.post<{ Body: { sql?: string; maxRows?: number } }>('/api/query', async (req) => {
    const { sql, maxRows } = req.body ?? {};
    if (typeof sql !== 'string' || sql.trim() === '') throw new UsageError('Body must be JSON with "sql": one SELECT statement.');
    return lake.query(sql, { maxRows: typeof maxRows === 'number' ? maxRows : 10_000 });
  });

  app.get<{ Querystring: { dataset?: string; import?: string; limit?: string; after?: string } }>('/api/quarantine', async (req) => ({
    rows: await lake.quarantine({
      dataset: req.query.dataset,
      importId: req.query.import,
      limit: req.query.limit ? Number(req.query.limit) : 1000,
      afterId: req.query.after ? Number(req.query.after) : undefined,
    }),
  }));

  app.post<{ Body: { dataset?: string } }>('/api/lake/compact', async (req) => ({
    results: await lake.compact({ dataset: req.body?.dataset, smallFileBytes: config.compactSmallFileBytes }),
  }));

  app.post<{ Body: { dataset?: string; retentionDays?: number } }>('/api/lake/vacuum', async (req) => ({
    results: await lake.vacuum({ dataset: req.body?.dataset, retentionMs: (req.body?.retentionDays ?? config.retentionDays) * 86_400_000 }),
  }));
}
