import type { FastifyInstance, FastifyReply } from 'fastify';
import { UsageError } from '../../core/index.js';
import {
  PARTITION_STATES,
  PipelinesRuntimeUnavailableError,
  RUN_KINDS,
  RUN_STATES,
  isTerminal,
  projectView,
  resolveAssets,
  type PipelinesRuntime,
} from '../../pipelines/index.js';
import type { Platform } from '../platform.js';
import { bodyObject, booleanField, intParam, onlyFields, stringField } from './validate.js';

interface IdParams {
  id: string;
}

function runtimeOf(platform: Platform): PipelinesRuntime {
  if (platform.pipelines === undefined)
    throw new PipelinesRuntimeUnavailableError(
      'This server runs without the pipelines runtime. Start the platform with `marketlake up`.',
    );
  return platform.pipelines;
}

function assetList(body: Record<string, unknown>): string[] {
  const assets = body['assets'];
  if (
    !Array.isArray(assets) ||
    assets.length === 0 ||
    !assets.every((a): a is string => typeof a === 'string' && a !== '')
  )
    throw new UsageError('Field "assets" must be a non-empty array of asset names or patterns.');
  return assets;
}

function oneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw new UsageError(`Parameter "${name}" must be one of ${allowed.join(', ')}.`);
  return value as T;
}

/** Server-sent events of a run's log lines until the run ends. */
async function streamLogs(
  rt: PipelinesRuntime,
  runId: string,
  task: string | undefined,
  reply: FastifyReply,
): Promise<void> {
  await rt.store.getRun(runId); // 404 before the stream starts
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  let closed = false;
  res.on('close', () => (closed = true));
  const after = new Map<string, number>();
  while (!closed) {
    const run = await rt.store.getRun(runId);
    for (const a of run.attempts) {
      if (task !== undefined && a.asset !== task) continue;
      const page = await rt.store.readLogs(a.id, { afterSeq: after.get(a.id) ?? 0 });
      for (const line of page.lines) {
        const event = { attemptId: a.id, asset: a.asset, partition: a.partition, ...line };
        res.write(`id: ${a.id}:${line.seq}\nevent: log\ndata: ${JSON.stringify(event)}\n\n`);
      }
      after.set(a.id, page.lastSeq);
    }
    if (isTerminal('run', run.state)) {
      res.write(`event: end\ndata: ${JSON.stringify({ state: run.state })}\n\n`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  res.end();
}

/** Runs, backfills, assets and partitions over REST (the CLI's pipeline commands). */
export function runRoutes(app: FastifyInstance, platform: Platform): void {
  app.get('/api/assets', () => projectView(runtimeOf(platform).project.current()));

  app.get<{ Params: { name: string }; Querystring: Record<string, string | undefined> }>(
    '/api/assets/:name/partitions',
    async (req) => {
      const rt = runtimeOf(platform);
      const [asset] = resolveAssets([...rt.project.current().assets.values()], [req.params.name]);
      const state = oneOf(req.query['status'], 'status', PARTITION_STATES);
      const page = await rt.store.listPartitionStatus(req.params.name, {
        state,
        limit: intParam(req.query['limit'], 'limit', 1),
        afterIndex: intParam(req.query['after'], 'after', 0),
        partitions: asset?.partitions,
      });
      return {
        asset: req.params.name,
        total: asset?.partitions?.count() ?? 0,
        counts: await rt.store.countPartitionStatus(req.params.name),
        ...page,
      };
    },
  );

  app.post<{ Params: { name: string } }>('/api/assets/:name/partitions/stale', async (req) => {
    const body = bodyObject(req.body, '{ "from": "2024-01-02", "to": "2024-01-31" }');
    onlyFields(body, ['from', 'to']);
    const from = stringField(body, 'from');
    if (from === undefined) throw new UsageError('Field "from" (a partition key) is required.');
    const rt = runtimeOf(platform);
    const [asset] = resolveAssets([...rt.project.current().assets.values()], [req.params.name]);
    if (asset?.partitions === undefined)
      throw new UsageError(`${req.params.name} is not partitioned; nothing can be stale.`);
    const range = asset.partitions.indexRange(from, stringField(body, 'to') ?? from);
    return {
      asset: req.params.name,
      marked: await rt.store.markPartitionStale(req.params.name, range),
    };
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/api/runs', (req) =>
    runtimeOf(platform).store.listRuns({
      state: oneOf(req.query['state'], 'state', RUN_STATES),
      kind: oneOf(req.query['kind'], 'kind', RUN_KINDS),
      asset: req.query['asset'],
      backfillId: req.query['backfill'],
      before: req.query['before'],
      limit: intParam(req.query['limit'], 'limit', 1),
    }),
  );

  app.post('/api/runs', async (req, reply) => {
    const body = bodyObject(req.body, '{ "assets": ["daily_bars"], "partition": "2024-06-03" }');
    onlyFields(body, ['assets', 'partition', 'from', 'to', 'downstream']);
    const rt = runtimeOf(platform);
    const created = await rt.submit({
      assets: assetList(body),
      partition: stringField(body, 'partition'),
      from: stringField(body, 'from'),
      to: stringField(body, 'to'),
      downstream: booleanField(body, 'downstream'),
    });
    return reply.code(201).send(await rt.store.getRun(created.runId));
  });

  app.get<{ Params: IdParams }>('/api/runs/:id', (req) =>
    runtimeOf(platform).store.getRun(req.params.id),
  );

  app.get<{ Params: IdParams }>('/api/runs/:id/events', async (req) => {
    const store = runtimeOf(platform).store;
    await store.getRun(req.params.id);
    return store.listRunEvents(req.params.id);
  });

  app.get<{ Params: IdParams; Querystring: Record<string, string | undefined> }>(
    '/api/runs/:id/logs',
    async (req, reply) => {
      const rt = runtimeOf(platform);
      const task = req.query['task'];
      if (req.headers.accept?.includes('text/event-stream') || req.query['follow'] === 'true')
        return streamLogs(rt, req.params.id, task, reply);
      const run = await rt.store.getRun(req.params.id);
      const attempts = run.attempts.filter((a) => task === undefined || a.asset === task);
      return Promise.all(
        attempts.map(async (a) => ({
          attemptId: a.id,
          asset: a.asset,
          partition: a.partition,
          attempt: a.attempt,
          ...(await rt.store.readLogs(a.id, { limit: intParam(req.query['limit'], 'limit', 1) })),
        })),
      );
    },
  );

  app.post<{ Params: IdParams }>('/api/runs/:id/cancel', async (req) => {
    const rt = runtimeOf(platform);
    const killed = await rt.cancel(req.params.id, 'Canceled through the API.');
    return { run: await rt.store.getRun(req.params.id), killedAttempts: killed };
  });

  app.post<{ Params: IdParams }>('/api/runs/:id/retry', async (req, reply) => {
    const body = bodyObject(req.body, '{ "failedOnly": true }', true);
    onlyFields(body, ['failedOnly']);
    const rt = runtimeOf(platform);
    const created = await rt.retry(req.params.id, booleanField(body, 'failedOnly') ?? true);
    return reply.code(201).send(await rt.store.getRun(created.runId));
  });

  app.get('/api/backfills', () => runtimeOf(platform).store.listBackfills());

  app.post('/api/backfills', async (req, reply) => {
    const body = bodyObject(req.body, '{ "assets": ["krx_daily"], "from": "...", "to": "..." }');
    onlyFields(body, ['assets', 'from', 'to', 'downstream', 'dryRun']);
    const from = stringField(body, 'from');
    const to = stringField(body, 'to');
    if (from === undefined || to === undefined)
      throw new UsageError('A backfill needs "from" and "to" (partition keys, inclusive).');
    const request = {
      assets: assetList(body),
      from,
      to,
      downstream: booleanField(body, 'downstream'),
    };
    const rt = runtimeOf(platform);
    if (booleanField(body, 'dryRun') === true)
      return { dryRun: true, ...rt.previewBackfill(request) };
    const { backfillId } = await rt.backfill(request);
    return reply.code(201).send(await rt.store.getBackfill(backfillId));
  });

  app.get<{ Params: IdParams }>('/api/backfills/:id', (req) =>
    runtimeOf(platform).store.getBackfill(req.params.id),
  );

  app.post<{ Params: IdParams }>('/api/backfills/:id/cancel', async (req) => {
    const rt = runtimeOf(platform);
    await rt.cancelBackfill(req.params.id);
    return rt.store.getBackfill(req.params.id);
  });

  app.get('/api/workers', () => runtimeOf(platform).store.listWorkers());
}
