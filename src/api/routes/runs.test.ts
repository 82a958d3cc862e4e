import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { openTestPlatform, type TestPlatform } from '../../../test/helpers/test-platform.js';
import { PipelinesRuntime, ProjectHolder, RunStore, type RunView } from '../../pipelines/index.js';
import { createServer } from '../server.js';

/* POST /api/runs refuses a partition key or range that no selected asset takes (Fastify inject). */

const PIPELINE = `
import { asset, daily } from 'marketlake';
export const days = asset({
  name: 'days',
  partitions: daily({ start: '2024-01-01', end: '2024-01-31' }),
  run: () => undefined,
});
export const prices = asset({ name: 'prices', run: () => undefined });
`;

describe.each(backends)('POST /api/runs on $name', (backend) => {
  let fixture: TestPlatform;
  let runtime: PipelinesRuntime;
  let app: FastifyInstance;

  beforeAll(async () => {
    if (backend.skip) return;
    fixture = await openTestPlatform(backend);
    const { config, store, logger } = fixture.platform;
    mkdirSync(path.join(config.project, 'pipelines'), { recursive: true });
    writeFileSync(path.join(config.project, 'pipelines', 'all.ts'), PIPELINE);
    // No roles: the API only creates runs here, nothing executes them.
    runtime = await PipelinesRuntime.start({
      store: new RunStore(store),
      project: await ProjectHolder.load(config.project),
      logger,
      lake: {
        databaseUrl: config.databaseUrl,
        lakePath: config.lakePath,
        tempDir: path.join(config.home, 'tmp'),
        memoryLimit: '256MB',
      },
    });
    app = createServer({ ...fixture.platform, pipelines: runtime });
    await app.ready();
  });

  afterAll(async () => {
    if (backend.skip) return;
    await app?.close();
    await runtime?.stop(100);
    await fixture?.close();
  });

  const post = (body: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/api/runs', payload: body });

  it.skipIf(backend.skip)('answers 400 to a partition of an unpartitioned asset', async () => {
    const key = await post({ assets: ['prices'], partition: '2024-01-05' });
    expect(key.statusCode).toBe(400);
    expect(key.json()).toEqual({
      error: {
        code: 'USAGE',
        message:
          'Asset "prices" is not partitioned, so a partition key does not apply: drop --partition.',
        details: { assets: ['prices'] },
      },
    });
    const range = await post({ assets: ['prices'], from: '2024-01-01', to: '2024-01-03' });
    expect(range.statusCode).toBe(400);
    expect(range.json<{ error: { message: string } }>().error.message).toContain(
      'drop --from/--to',
    );
    expect((await runtime.store.listRuns({})).runs).toEqual([]);
  });

  it.skipIf(backend.skip)('creates runs that give the key to the partitioned assets', async () => {
    const mixed = await post({ assets: ['days', 'prices'], partition: '2024-01-05' });
    expect(mixed.statusCode).toBe(201);
    const run = mixed.json<RunView>();
    expect(run.tasks.total).toBe(2);
    expect(run.attempts.map((a) => [a.asset, a.partition]).sort()).toEqual([
      ['days', '2024-01-05'],
      ['prices', null],
    ]);
    const plain = await post({ assets: ['prices'] });
    expect(plain.statusCode).toBe(201);
  });
});
