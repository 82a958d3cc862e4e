import { beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { useMetaStore } from '../../../test/helpers/meta-fixture.js';
import { PipelinesNothingToRetryError, PipelinesRunNotFinishedError } from '../errors.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');

describe.each(backends)('retrying runs on $name', (backend) => {
  describe.skipIf(backend.skip)('runs', () => {
    const db = useMetaStore(backend);
    let store: RunStore;
    beforeEach(() => {
      store = new RunStore(db.meta, { clock: () => T0 });
    });

    const states = async (runId: string): Promise<string[]> =>
      (await store.getRun(runId)).attempts.map((a) => `${a.asset}#${a.attempt}:${a.state}`);

    it('retries only the failed part of a run, keeping dependencies among the retried tasks', async () => {
      const { runId } = await store.createRun({
        kind: 'backfill',
        tags: { why: 'test' },
        tasks: [
          { asset: 'a', partition: '2024-01-02' },
          { asset: 'b', partition: '2024-01-02', deps: [0], maxAttempts: 1, pool: 'api' },
          { asset: 'c', partition: '2024-01-02', deps: [0] },
          { asset: 'd', partition: '2024-01-02', deps: [1, 2] },
          { asset: 'e', partition: '2024-01-02', deps: [3] },
        ],
      });
      await expect(store.retryRun(runId)).rejects.toBeInstanceOf(PipelinesRunNotFinishedError);
      const drain = async (fail: string[]): Promise<void> => {
        for (;;) {
          const batch = await store.claim('w1', { slots: 10 });
          if (batch.length === 0) return;
          for (const x of batch) {
            if (fail.includes(x.asset)) await store.fail(x.attemptId, 'w1', { message: 'no' });
            else await store.complete(x.attemptId, 'w1');
          }
        }
      };
      await drain(['b']);
      expect(await states(runId)).toEqual([
        'a#1:succeeded',
        'b#1:failed',
        'c#1:succeeded',
        'd#1:upstream_failed',
        'e#1:upstream_failed',
      ]);
      const retry = await store.retryRun(runId, { failedOnly: true });
      const run = await store.getRun(retry.runId);
      expect(run).toMatchObject({
        kind: 'retry',
        parentRunId: runId,
        priority: 0,
        tags: { why: 'test' },
      });
      expect(run.attempts.map((a) => [a.asset, a.partition, a.state, a.pool])).toEqual([
        ['b', '2024-01-02', 'queued', 'api'],
        ['d', '2024-01-02', 'waiting', null],
        ['e', '2024-01-02', 'waiting', null],
      ]);
      await drain([]);
      expect(await states(retry.runId)).toEqual([
        'b#1:succeeded',
        'd#1:succeeded',
        'e#1:succeeded',
      ]);
      expect((await store.getRun(retry.runId)).state).toBe('succeeded');
      await expect(store.retryRun(retry.runId)).rejects.toBeInstanceOf(
        PipelinesNothingToRetryError,
      );
      const all = await store.retryRun(retry.runId, { failedOnly: false });
      expect(await states(all.runId)).toEqual(['b#1:queued', 'd#1:waiting', 'e#1:waiting']);
    });

    it('retries the canceled part of a canceled run', async () => {
      const { runId } = await store.createRun({
        tasks: [{ asset: 'a' }, { asset: 'b', deps: [0] }],
      });
      const [a] = await store.claim('w1', { slots: 1 });
      await store.complete(a!.attemptId, 'w1');
      await store.cancelRun(runId);
      const retry = await store.retryRun(runId);
      expect(await states(retry.runId)).toEqual(['b#1:queued']);
    });
  });
});
