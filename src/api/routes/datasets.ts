import type { FastifyInstance } from 'fastify';
import { UsageError } from '../../core/index.js';
import type { DatasetSpec, ImportOptions, ReadFilter } from '../../lake/index.js';
import { datasetSummaries } from '../../lake/index.js';
import type { Platform } from '../platform.js';
import {
  bodyObject,
  booleanField,
  intField,
  intParam,
  onlyFields,
  stringField,
  stringMapField,
} from './validate.js';

interface NameParams {
  name: string;
}

const WRITE_MODES = ['append', 'replace'] as const;

/** Import options a request may set (the server sets the writer and progress itself). */
function importOptionsFrom(body: Record<string, unknown>): ImportOptions {
  onlyFields(body, [
    'files',
    'format',
    'map',
    'constants',
    'delimiter',
    'quote',
    'header',
    'dateFormat',
    'timestampFormat',
    'maxBadRows',
    'mode',
  ]);
  return {
    format: stringField(body, 'format', ['csv', 'parquet'] as const),
    map: stringMapField(body, 'map'),
    constants: stringMapField(body, 'constants'),
    delimiter: stringField(body, 'delimiter'),
    quote: stringField(body, 'quote'),
    header: booleanField(body, 'header'),
    dateFormat: stringField(body, 'dateFormat'),
    timestampFormat: stringField(body, 'timestampFormat'),
    maxBadRows: intField(body, 'maxBadRows', 0),
    mode: stringField(body, 'mode', WRITE_MODES),
  };
}

/** Dataset routes: list, describe, create, history, files, rows (read and write), import. */
export function datasetRoutes(app: FastifyInstance, { lake }: Platform): void {
  app.get('/api/datasets', async () => ({ datasets: await datasetSummaries(lake) }));

  app.post('/api/datasets', async (req, reply) => {
    const spec = bodyObject(
      req.body,
      'a dataset definition { "name", "columns", "primaryKey", "partitioning" }',
    );
    const dataset = await lake.createDataset(spec as unknown as DatasetSpec);
    return reply.code(201).send(dataset);
  });

  app.get<{ Params: NameParams }>('/api/datasets/:name', async (req) => {
    const dataset = await lake.dataset(req.params.name);
    const [head] = dataset.headVersion > 0 ? await lake.history(dataset.name, 1) : [];
    return { ...dataset, head: head ?? null };
  });

  app.get<{ Params: NameParams }>('/api/datasets/:name/history', async (req) => ({
    versions: await lake.history(req.params.name),
  }));

  app.get<{ Params: NameParams; Querystring: { version?: string } }>(
    '/api/datasets/:name/files',
    async (req) => ({
      files: await lake.files(req.params.name, intParam(req.query.version, 'version')),
    }),
  );

  app.get<{ Params: NameParams; Querystring: Record<string, string> }>(
    '/api/datasets/:name/rows',
    async (req) => {
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
        limit: intParam(limit, 'limit', 1) ?? 10_000,
        columns: columns ? columns.split(',') : undefined,
        where,
      });
    },
  );

  app.post<{ Params: NameParams }>('/api/datasets/:name/rows', async (req, reply) => {
    const body = bodyObject(
      req.body,
      '{ "rows": [...], "mode"?: "append" | "replace", "partitions"?: [...] }',
    );
    onlyFields(body, ['rows', 'mode', 'partitions']);
    const { rows, partitions } = body;
    if (
      !Array.isArray(rows) ||
      rows.some((r) => r === null || typeof r !== 'object' || Array.isArray(r))
    ) {
      throw new UsageError(
        'Body must be JSON with "rows": an array of objects keyed by column name.',
      );
    }
    if (
      partitions !== undefined &&
      (!Array.isArray(partitions) || partitions.some((p) => typeof p !== 'string'))
    ) {
      throw new UsageError(
        'Body field "partitions" must be an array of partition names such as "year=2024".',
      );
    }
    const result = await lake.write(
      req.params.name,
      { rows: rows as Record<string, unknown>[] },
      {
        mode: stringField(body, 'mode', WRITE_MODES),
        partitions: partitions as string[] | undefined,
        writer: 'api',
      },
    );
    return reply.code(201).send(result);
  });

  app.post<{ Params: NameParams }>('/api/datasets/:name/import', async (req, reply) => {
    const body = bodyObject(req.body, '{ "files": ["/path/on/server.csv"], ...import options }');
    const { files } = body;
    if (!Array.isArray(files) || files.length === 0 || files.some((f) => typeof f !== 'string')) {
      throw new UsageError('Body must be JSON with "files": paths on the server to import.');
    }
    const result = await lake.import(req.params.name, files as string[], {
      ...importOptionsFrom(body),
      writer: 'api',
    });
    return reply.code(201).send(result);
  });
}
