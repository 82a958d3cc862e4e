import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { distModule, runNode } from '../../../test/helpers/dist.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import { PipelinesRunArgumentInvalidError } from '../errors.js';
import { ANALYZE_QUEUED_AT } from './insert-run.js';
import type { TaskPlan } from './run-plan.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');

/** A child process that claims and completes attempts until run `runId` has finished. */
const claimerScript = (url: string, runId: string, workerId: string): string => `
const meta = await import(${JSON.stringify(distModule('meta/index.js'))});
const runs = await import(${JSON.stringify(distModule('pipelines/runs/index.js'))});
const store = new runs.RunStore(await meta.openMetaStore(${JSON.stringify(url)}));
const claimed = [];
for (;;) {
  const batch = await store.claim(${JSON.stringify(workerId)}, { slots: 4 });
  for (const a of batch) {
    claimed.push(a.attemptId);
    await store.complete(a.attemptId, ${JSON.stringify(workerId)});
  }
  if (batch.length === 0) {
    const run = await store.getRun(${JSON.stringify(runId)});
    if (run.state !== 'queued' && run.state !== 'running') break;
    await new Promise((r) => setTimeout(r, 2));
  }
}
await store.meta.close();
process.stdout.write(JSON.stringify({ claimed, retries: store.transientRetries }));
`;

describe.each(backends)('claiming attempts on $name', (backend) => {
  describe.skipIf(backend.skip)('the task queue', () => {
    let dir: string;
    let url: string;
    let meta: MetaStore;
    let store: RunStore;
    beforeEach(async () => {
      dir = makeTempDir();
      url = backend.url(dir);
      meta = await openMetaStore(url);
      store = new RunStore(meta, { clock: () => T0 });
    });
    afterEach(async () => {
      await meta.close();
      await backend.cleanup(url);
      removeDir(dir);
    });

    it('claims live scheduled runs before manual runs before backfills, oldest first within a priority', async () => {
      const backfill = await store.createRun({
        kind: 'backfill',
        tasks: [{ asset: 'b1' }, { asset: 'b2' }],
      });
      const manual = await store.createRun({ kind: 'manual', tasks: [{ asset: 'm' }] });
      const live = await store.createRun({ kind: 'schedule', tasks: [{ asset: 's' }] });
      const sensor = await store.createRun({
        kind: 'sensor',
        tasks: [{ asset: 'x', priority: 500 }],
      });
      const order: string[] = [];
      for (;;) {
        const [a] = await store.claim('w1', { slots: 1 });
        if (!a) break;
        order.push(a.asset);
      }
      expect(order).toEqual(['x', 's', 'm', 'b1', 'b2']);
      const runs = await Promise.all([backfill, manual, live].map((r) => store.getRun(r.runId)));
      expect(runs.map((r) => r.priority)).toEqual([0, 100, 200]);
      expect((await store.getRun(sensor.runId)).state).toBe('running');
    });

    it('starts a run at its first claim, once', async () => {
      const { runId } = await store.createRun({ tasks: [{ asset: 'a' }, { asset: 'b' }] }, T0);
      await store.claim('w1', { slots: 1, now: T0 + 10 });
      await store.claim('w1', { slots: 1, now: T0 + 20 });
      const run = await store.getRun(runId);
      expect(run).toMatchObject({ state: 'running', startedAt: '2024-03-15T12:00:00.010Z' });
      const runEvents = (await store.listRunEvents(runId)).filter((e) => e.entity === 'run');
      expect(runEvents.map((e) => e.to)).toEqual(['queued', 'running']);
    });

    it('validates slots and pool limits, and claims nothing with no slot', async () => {
      await store.createRun({ tasks: [{ asset: 'a' }] });
      expect(await store.claim('w1', { slots: 0 })).toEqual([]);
      await expect(store.claim('w1', { slots: -1 })).rejects.toBeInstanceOf(
        PipelinesRunArgumentInvalidError,
      );
      await expect(store.claim('w1', { slots: 1, pools: { api: 1.5 } })).rejects.toThrow(
        /Slots of pool "api" is 1.5/,
      );
    });

    it('never runs more attempts of a pool than its slots, across workers', async () => {
      const tasks: TaskPlan[] = [];
      for (let i = 0; i < 12; i += 1) tasks.push({ asset: `krx_${i}`, pool: 'krx-api' });
      for (let i = 0; i < 4; i += 1) tasks.push({ asset: `free_${i}` });
      const { runId } = await store.createRun({ tasks });
      const pools = { 'krx-api': 2 };
      const first = await store.claim('w1', { slots: 10, pools });
      expect(first.filter((a) => a.pool === 'krx-api')).toHaveLength(2);
      expect(first.filter((a) => a.pool === null)).toHaveLength(4);
      expect(await store.claim('w2', { slots: 10, pools })).toEqual([]);
      const running = new Map(first.map((a) => [a.attemptId, { ...a, worker: 'w1' }]));
      let maxPool = 0;
      const workers = ['w1', 'w2', 'w3'];
      for (let step = 0; running.size > 0; step += 1) {
        const inPool = [...running.values()].filter((a) => a.pool === 'krx-api').length;
        maxPool = Math.max(maxPool, inPool);
        expect(inPool).toBeLessThanOrEqual(2);
        const [next] = running.values();
        running.delete(next!.attemptId);
        await store.complete(next!.attemptId, next!.worker);
        const worker = workers[step % 3]!;
        for (const a of await store.claim(worker, { slots: 3, pools })) {
          running.set(a.attemptId, { ...a, worker });
        }
      }
      expect(maxPool).toBe(2);
      expect((await store.getRun(runId)).state).toBe('succeeded');
    });

    it('treats pools without a limit as unlimited', async () => {
      await store.createRun({ tasks: [1, 2, 3].map((i) => ({ asset: `a${i}`, pool: 'open' })) });
      expect(await store.claim('w1', { slots: 5, pools: { other: 1 } })).toHaveLength(3);
    });

    it('never claims an attempt twice when several processes claim at once', async () => {
      const tasks: TaskPlan[] = [];
      for (let i = 0; i < 120; i += 1)
        tasks.push({ asset: `t${i}`, pool: i % 3 === 0 ? 'api' : null });
      const { runId } = await store.createRun({ tasks });
      const results = await Promise.all(
        ['p1', 'p2', 'p3', 'p4'].map((w) =>
          runNode(['--input-type=module', '-e', claimerScript(url, runId, w)]),
        ),
      );
      for (const r of results) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
      const outputs = results.map(
        (r) => JSON.parse(r.stdout) as { claimed: string[]; retries: number },
      );
      expect(outputs.map((o) => o.retries)).toEqual([0, 0, 0, 0]);
      const claimed = outputs.flatMap((o) => o.claimed);
      expect(claimed).toHaveLength(120);
      expect(new Set(claimed).size).toBe(120);
      const run = await store.getRun(runId);
      expect(run.state).toBe('succeeded');
      expect(run.attempts.every((a) => a.attempt === 1 && a.state === 'succeeded')).toBe(true);
      // Which processes got work depends on start-up timing; only exclusivity is asserted.
      expect(run.attempts.every((a) => a.workerId !== null)).toBe(true);
    });

    it.runIf(backend.name === 'postgres')(
      'gives concurrent stores disjoint attempts and respects a pool limit under contention',
      async () => {
        const tasks: TaskPlan[] = [];
        for (let i = 0; i < 80; i += 1)
          tasks.push({ asset: `t${i}`, pool: i % 2 === 0 ? 'api' : null });
        const { runId } = await store.createRun({ tasks });
        const metas = await Promise.all([1, 2, 3, 4].map(() => openMetaStore(url)));
        const stores = metas.map((m) => new RunStore(m, { clock: () => T0 }));
        let inPool = 0;
        let maxInPool = 0;
        try {
          const claimed = await Promise.all(
            stores.map(async (s, w) => {
              const mine: string[] = [];
              for (;;) {
                const batch = await s.claim(`w${w}`, { slots: 3, pools: { api: 2 } });
                inPool += batch.filter((a) => a.pool === 'api').length;
                maxInPool = Math.max(maxInPool, inPool);
                if (batch.length === 0) {
                  const run = await s.getRun(runId);
                  if (run.state === 'succeeded') return mine;
                  await new Promise((r) => setTimeout(r, 1));
                }
                for (const a of batch) {
                  mine.push(a.attemptId);
                  if (a.pool === 'api') inPool -= 1;
                  await s.complete(a.attemptId, `w${w}`);
                }
              }
            }),
          );
          const all = claimed.flat();
          expect(all).toHaveLength(80);
          expect(new Set(all).size).toBe(80);
          expect(maxInPool).toBeLessThanOrEqual(2);
          expect(stores.map((s) => s.transientRetries)).toEqual([0, 0, 0, 0]);
        } finally {
          await Promise.all(metas.map((m) => m.close()));
        }
      },
    );

    it.runIf(backend.name === 'postgres')(
      'claims from a large queue by walking attempts_queued in order, not sorting the queue',
      async () => {
        const tasks: TaskPlan[] = Array.from({ length: ANALYZE_QUEUED_AT }, (_, i) => ({
          asset: 'fan',
          partition: `k${i}`,
          partitionIndex: i,
        }));
        await store.createRun({ tasks });
        const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT id FROM attempts
          WHERE state = 'queued' AND not_before_ms <= ${T0} ORDER BY priority DESC, id LIMIT 8
          FOR NO KEY UPDATE SKIP LOCKED`.execute(meta.db);
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(text).toContain('Index Scan using attempts_queued on attempts');
        expect(text).not.toContain('Sort');
        const claimed = await store.claim('w1', { slots: 8 });
        expect(claimed.map((c) => c.partition)).toEqual(tasks.slice(0, 8).map((t) => t.partition));
      },
    );
  });
});
