import { beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { useMetaStore } from '../../../test/helpers/meta-fixture.js';
import { openMetaStore } from '../../meta/index.js';
import { PipelinesInvalidTransitionError } from '../errors.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');

describe.each(backends)('canceling runs on $name', (backend) => {
  describe.skipIf(backend.skip)('runs', () => {
    const db = useMetaStore(backend);
    let store: RunStore;
    beforeEach(() => {
      store = new RunStore(db.meta, { clock: () => T0 });
    });

    const states = async (runId: string): Promise<string[]> =>
      (await store.getRun(runId)).attempts.map((a) => `${a.asset}#${a.attempt}:${a.state}`);

    it('cancels what has not started and hands back the running attempts to kill', async () => {
      const { runId } = await store.createRun({
        tasks: [{ asset: 'a' }, { asset: 'b', deps: [0] }, { asset: 'c' }, { asset: 'd' }],
      });
      const claimed = await store.claim('w1', { slots: 2 });
      expect(claimed.map((x) => x.asset)).toEqual(['a', 'c']);
      const result = await store.cancelRun(runId, { reason: 'Stopped by alice.', now: T0 + 5 });
      expect(result.runningAttemptIds).toEqual(claimed.map((x) => x.attemptId).sort());
      expect(result.canceledAttemptIds).toHaveLength(2);
      expect(await states(runId)).toEqual([
        'a#1:running',
        'b#1:canceled',
        'c#1:running',
        'd#1:canceled',
      ]);
      const run = await store.getRun(runId);
      expect(run).toMatchObject({
        state: 'canceled',
        error: 'Stopped by alice.',
        finishedAt: '2024-03-15T12:00:00.005Z',
      });
      expect(await store.claim('w1', { slots: 10 })).toEqual([]);
      // The executor kills `a`; its failure report ends it canceled, without a retry.
      const killed = await store.fail(claimed[0]!.attemptId, 'w1', {
        message: 'killed',
        exitReason: 'KILLED',
      });
      expect(killed).toMatchObject({
        state: 'canceled',
        taskState: 'canceled',
        runState: 'canceled',
      });
      // `c` finished before its kill landed: the success is recorded, nothing downstream starts.
      const late = await store.complete(claimed[1]!.attemptId, 'w1');
      expect(late).toMatchObject({ state: 'succeeded', runState: 'canceled' });
      expect(await states(runId)).toEqual([
        'a#1:canceled',
        'b#1:canceled',
        'c#1:succeeded',
        'd#1:canceled',
      ]);
      expect((await store.getRun(runId)).tasks).toEqual({ total: 4, finished: 4, unsuccessful: 3 });
      await expect(store.cancelRun(runId)).rejects.toBeInstanceOf(PipelinesInvalidTransitionError);
    });

    it('cancels a run that never started', async () => {
      const { runId } = await store.createRun({ tasks: [{ asset: 'a' }] });
      const result = await store.cancelRun(runId);
      expect(result.runningAttemptIds).toEqual([]);
      expect((await store.getRun(runId)).state).toBe('canceled');
      const events = await store.listRunEvents(runId);
      expect(events.filter((e) => e.entity === 'run').map((e) => `${e.from}->${e.to}`)).toEqual([
        'null->queued',
        'queued->canceled',
      ]);
    });

    it.runIf(backend.name === 'postgres')(
      'cancels cleanly while other stores claim and complete the same run',
      async () => {
        for (let round = 0; round < 3; round += 1) {
          const tasks = Array.from({ length: 60 }, (_, i) => ({
            asset: `t${i}`,
            deps: i >= 30 ? [i - 30] : [],
          }));
          const { runId } = await store.createRun({ tasks });
          const metas = await Promise.all([1, 2, 3].map(() => openMetaStore(db.url)));
          try {
            const stores = metas.map((m) => new RunStore(m, { clock: () => T0 }));
            const workers = stores.map(async (s, w) => {
              for (;;) {
                const batch = await s.claim(`w${w}`, { slots: 2 });
                for (const a of batch) await s.complete(a.attemptId, `w${w}`);
                if (batch.length === 0) {
                  const run = await s.getRun(runId);
                  if (run.state !== 'queued' && run.state !== 'running') return;
                  await new Promise((r) => setTimeout(r, 1));
                }
              }
            });
            await new Promise((r) => setTimeout(r, 20 * round));
            await store.cancelRun(runId);
            await Promise.all(workers);
            // The lock order leaves nothing for PostgreSQL to break: no deadlock was retried.
            expect([store, ...stores].map((s) => s.transientRetries)).toEqual([0, 0, 0, 0]);
          } finally {
            await Promise.all(metas.map((m) => m.close()));
          }
          const run = await store.getRun(runId);
          expect(run.state).toBe('canceled');
          expect(run.tasks.finished).toBe(60);
          for (const a of run.attempts) expect(['succeeded', 'canceled']).toContain(a.state);
        }
      },
    );
  });
});
