import type { FastifyInstance } from 'fastify';
import { UsageError } from '../../core/index.js';
import type { DatasetSpec, ReadFilter, WriteMode } from '../../lake/index.js';
import type { Platform } from '../platform.js';
import { datasetSummaries } from '../../lake/index.js';

interface NameParams {
  name: string;
}

function intParam(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`Query parameter ${name}=${String(value)} must be a non-negative integer.`);
  return n;
}

/** Dataset routes: list, describe, create, history, files, rows (read and write), import. */
export function datasetRoutes(app: FastifyInstance, { lake }: Platform): void {
  app.get('/api/datasets', async () => ({ datasets: await datasetSummaries(lake) }));

  app.post<{ Body: DatasetSpec }>('/api/datasets', async (req, reply) => {
    const dataset = await lake.createDataset(req.body);
    return reply.code(201).send(dataset);
  });

  app.get<{ Params: NameParams }>('/api/datasets/:name', async (req) => {
    const dataset = await lake.dataset(req.params.name);
    const [head] = dataset.headVersion > 0 ? await lake.history(dataset.name) : [];
    return { ...dataset, head: head ?? null };
  });

  app.get<{ Params: NameParams }>('/api/datasets/:name/history', async (req) => ({ versions: await lake.history(req.params.name) }));

  app.get<{ Params: NameParams; Querystring: { version?: string } }>('/api/datasets/:name/files', async (req) => ({
    files: await lake.files(req.params.name, intParam(req.query.version, 'version')),
  }));

  app.get<{ Params: NameParams; Querystring: Record<string, string> }>('/api/datasets/:name/rows', async (req) => {
    const { version, limit, columns, ...rest } = req.query;
    const where: Record<string, ReadFilter> = {};
    for (const [key, value] of Object.entries(rest)) {
      const range = /^(.+)\.(from|to)$/.exec(key);
      if (range) {
        const col = range[1] ?? key;
        const current = (where[col] ?? {}) as { from?: string; to?: string };
        where[col] = { ...current, [range[2] as 'from' | 'to']: value };
      } else where[key] = value;
    }
    return lake.read(req.params.name, {
      version: intParam(version, 'version'),
      limit: intParam(limit, 'limit') ?? 10_000,
      columns: columns ? columns.split(',') : undefined,
      where,
    });
  });

  app.post<{ Params: NameParams; Body: { rows?: Record<string, unknown>[]; mode?: WriteMode; partitions?: string[] } }>(
    '/api/datasets/:name/rows',
    async (req, reply) => {
      const { rows, mode, partitions } = req.body ?? {};
      if (!Array.isArray(rows)) throw new UsageError('Body must be JSON with "rows": an array of objects keyed by column name.');
      const result = await lake.write(req.params.name, { rows }, { mode, partitions, writer: 'api' });
      return reply.code(201).send(result);
    },
  );

  app.post<{ Params: NameParams; Body: { files?: string[] } & Record<string, unknown> }>('/api/datasets/:name/import', async (req, reply) => {
    const { files, ...options } = req.body ?? {};
    if (!Array.isArray(files) || files.length === 0) throw new UsageError('Body must be JSON with "files": paths on the server to import.');
    const result = await lake.import(req.params.name, files, { ...options, writer: 'api' });
    return reply.code(201).send(result);
  });
}
