import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { withLake } from '../../../test/helpers/with-lake.js';
import type { Lake } from '../../lake/index.js';
import { RunStore } from '../runs/index.js';
import { createLake, WORKER_LAKE_ENV } from './worker-lake.js';

describe.each(backends)('worker lake on $name', (backend) => {
  it.skipIf(backend.skip)(
    'commits an attempt write only while its worker holds the lease',
    () =>
      withLake(backend, async (fx) => {
        await fx.lake.createDataset({
          name: 'out',
          columns: [{ name: 'k', type: 'VARCHAR', nullable: false }],
          primaryKey: ['k'],
          partitioning: { kind: 'none' },
        });
        const store = new RunStore(fx.store, { leaseMs: 1000 });
        await store.createRun({ tasks: [{ asset: 'a' }, { asset: 'b' }] });
        const [live, zombie] = await store.claim('w1', { slots: 2 });
        process.env[WORKER_LAKE_ENV] = JSON.stringify({
          databaseUrl: fx.url,
          lakePath: fx.root,
          tempDir: path.join(fx.dir, 'tmp'),
          memoryLimit: '128MB',
          workerId: 'w1',
        });
        const lakeFor = (attemptId: string): Lake =>
          createLake({
            lakePath: fx.root,
            asset: 'a',
            partition: undefined,
            runId: 'r',
            attemptId,
            attempt: 1,
          }).lake as Lake;
        try {
          const ok = await lakeFor(live?.attemptId ?? '').write('out', { rows: [{ k: 'x' }] });
          expect(ok.version).toBe(1);
          // The zombie's lease runs out (no heartbeat): its write must not commit.
          await new Promise((r) => setTimeout(r, 1200));
          await expect(
            lakeFor(zombie?.attemptId ?? '').write('out', { rows: [{ k: 'y' }] }),
          ).rejects.toMatchObject({ code: 'PIPELINES_LEASE_LOST' });
          const rows = await fx.lake.query('SELECT k FROM out ORDER BY k');
          expect(rows.rows).toEqual([{ k: 'x' }]);
          expect((await fx.lake.dataset('out')).headVersion).toBe(1);
        } finally {
          delete process.env[WORKER_LAKE_ENV];
        }
      }),
    30_000,
  );
});
