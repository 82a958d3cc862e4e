import type { FastifyInstance } from 'fastify';
import { UsageError } from '../../core/index.js';
import type { Platform } from '../platform.js';
import { bodyObject, intField, intParam, onlyFields, stringField } from './validate.js';

/** Read-only SQL, quarantine listing and lake maintenance. */
export function queryRoutes(app: FastifyInstance, { lake, config }: Platform): void {
  app.post('/api/query', async (req) => {
    const body = bodyObject(req.body, '{ "sql": "SELECT ...", "maxRows"?: n }');
    onlyFields(body, ['sql', 'maxRows']);
    const sql = stringField(body, 'sql');
    if (sql === undefined || sql.trim() === '')
      throw new UsageError('Body must be JSON with "sql": one SELECT statement.');
    return lake.query(sql, { maxRows: intField(body, 'maxRows', 1) ?? 10_000 });
  });

  app.get<{ Querystring: { dataset?: string; import?: string; limit?: string; after?: string } }>(
    '/api/quarantine',
    async (req) => ({
      rows: await lake.quarantine({
        dataset: req.query.dataset,
        importId: req.query.import,
        limit: intParam(req.query.limit, 'limit', 1) ?? 1000,
        afterId: intParam(req.query.after, 'after', 0),
      }),
    }),
  );

  app.post('/api/lake/compact', async (req) => {
    const body = bodyObject(req.body, '{ "dataset"?: name }', true);
    onlyFields(body, ['dataset']);
    return {
      results: await lake.compact({
        dataset: stringField(body, 'dataset'),
        smallFileBytes: config.compactSmallFileBytes,
      }),
    };
  });

  app.post('/api/lake/vacuum', async (req) => {
    const body = bodyObject(req.body, '{ "dataset"?: name, "retentionDays"?: n }', true);
    onlyFields(body, ['dataset', 'retentionDays']);
    const retentionDays = intField(body, 'retentionDays', 0) ?? config.retentionDays;
    return {
      results: await lake.vacuum({
        dataset: stringField(body, 'dataset'),
        retentionMs: retentionDays * 86_400_000,
      }),
    };
  });
}
