import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import {
  PipelinesBackfillNotFoundError,
  PipelinesInvalidTransitionError,
  PipelinesRunArgumentInvalidError,
} from '../errors.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');
const days = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09'];

describe.each(backends)('backfills on $name', (backend) => {
  describe.skipIf(backend.skip)('records and progress', () => {
    let dir: string;
    let url: string;
    let meta: MetaStore;
    let store: RunStore;
    let clock: { ms: number };
    beforeEach(async () => {
      dir = makeTempDir();
      url = backend.url(dir);
      meta = await openMetaStore(url);
      clock = { ms: T0 };
      store = new RunStore(meta, { clock: () => clock.ms });
    });
    afterEach(async () => {
      await meta.close();
      await backend.cleanup(url);
      removeDir(dir);
    });

    const submit = async (backfillId: string, keys: string[]): Promise<string> =>
      (
        await store.createRun({
          kind: 'backfill',
          backfillId,
          tasks: keys.map((k) => ({ asset: 'bars', partition: k, maxAttempts: 1 })),
        })
      ).runId;
    const drain = async (failing: string[] = []): Promise<void> => {
      for (;;) {
        const batch = await store.claim('w1', { slots: 10 });
        if (batch.length === 0) return;
        for (const a of batch) {
          if (failing.includes(a.partition ?? ''))
            await store.fail(a.attemptId, 'w1', { message: 'no data' });
          else await store.complete(a.attemptId, 'w1');
        }
      }
    };

    it('tracks done, failed and remaining across chunks and retries, and settles itself', async () => {
      const created = await store.createBackfill({
        assets: ['bars'],
        from: days[0]!,
        to: days[5]!,
        downstream: true,
        total: 6,
      });
      expect(created).toMatchObject({
        state: 'requested',
        downstream: true,
        submitted: 0,
        createdAt: '2024-03-15T12:00:00.000Z',
        progress: { done: 0, failed: 0, active: 0, remaining: 6, etaMs: null },
      });
      const id = created.id;
      const run1 = await submit(id, days.slice(0, 3));
      await store.recordBackfillSubmitted(id, 3);
      expect(await store.getBackfill(id)).toMatchObject({
        state: 'running',
        submitted: 3,
        progress: { active: 3 },
      });
      clock.ms = T0 + 10_000;
      await drain([days[1]!]);
      // Not finished: half the range was never submitted.
      expect(await store.getBackfill(id)).toMatchObject({
        state: 'running',
        progress: { done: 2, failed: 1, active: 0, remaining: 3, etaMs: 15_000 },
      });
      // A restarted launcher resumes from the recorded count.
      const reopened = new RunStore(meta);
      expect((await reopened.getBackfill(id)).submitted).toBe(3);
      await submit(id, days.slice(3));
      await store.recordBackfillSubmitted(id, 6);
      await drain();
      expect(await store.getBackfill(id)).toMatchObject({
        state: 'failed',
        finishedAt: '2024-03-15T12:00:10.000Z',
        progress: { done: 5, failed: 1, remaining: 0 },
      });
      // Retrying the failed run reopens the backfill; success settles it as succeeded.
      const retry = await store.retryRun(run1);
      expect((await store.getRun(retry.runId)).backfillId).toBe(id);
      expect((await store.getBackfill(id)).state).toBe('running');
      await drain();
      expect(await store.getBackfill(id)).toMatchObject({
        state: 'succeeded',
        progress: { done: 6, failed: 0, remaining: 0 },
      });
      expect((await store.listRuns({ backfillId: id })).runs).toHaveLength(3);
      expect((await store.listBackfills()).map((b) => b.id)).toEqual([id]);
      expect(await store.listBackfills({ state: 'running' })).toEqual([]);
    });

    it('cancels a backfill with its active runs', async () => {
      const { id } = await store.createBackfill({
        assets: ['bars'],
        from: days[0]!,
        to: days[5]!,
        total: 6,
      });
      const runA = await submit(id, days.slice(0, 3));
      const runB = await submit(id, days.slice(3));
      const [running] = await store.claim('w1', { slots: 1 });
      const kill = await store.cancelBackfill(id);
      expect(kill).toEqual([running!.attemptId]);
      expect((await store.getRun(runA)).state).toBe('canceled');
      expect((await store.getRun(runB)).state).toBe('canceled');
      expect((await store.getBackfill(id)).state).toBe('canceled');
      await expect(submit(id, days.slice(0, 1))).rejects.toBeInstanceOf(
        PipelinesInvalidTransitionError,
      );
      await expect(store.cancelBackfill(id)).resolves.toEqual([]);
    });

    it('validates backfill input and ids', async () => {
      await expect(store.getBackfill('b404')).rejects.toBeInstanceOf(
        PipelinesBackfillNotFoundError,
      );
      await expect(
        store.createBackfill({ assets: [], from: 'a', to: 'b', total: 1 }),
      ).rejects.toBeInstanceOf(PipelinesRunArgumentInvalidError);
      const { id } = await store.createBackfill({ assets: ['x'], from: 'a', to: 'b', total: 2 });
      await expect(store.recordBackfillSubmitted(id, 3)).rejects.toThrow(/use 0..2/);
      await expect(submit('b404', ['a'])).rejects.toBeInstanceOf(PipelinesBackfillNotFoundError);
    });
  });
});
