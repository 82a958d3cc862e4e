import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import { PipelinesLeaseLostError } from '../errors.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');
const LEASE = 30_000;

describe.each(backends)('leases on $name', (backend) => {
  describe.skipIf(backend.skip)('workers, heartbeats and lost attempts', () => {
    let dir: string;
    let url: string;
    let meta: MetaStore;
    let store: RunStore;
    beforeEach(async () => {
      dir = makeTempDir();
      url = backend.url(dir);
      meta = await openMetaStore(url);
      store = new RunStore(meta, { clock: () => T0, leaseMs: LEASE, maxLostAttempts: 2 });
    });
    afterEach(async () => {
      await meta.close();
      await backend.cleanup(url);
      removeDir(dir);
    });

    it('renews leases on heartbeat, and only live ones', async () => {
      await store.createRun({ tasks: [{ asset: 'a' }, { asset: 'b' }] }, T0);
      const [a] = await store.claim('w1', { slots: 1, now: T0 });
      const [b] = await store.claim('w2', { slots: 1, now: T0 });
      expect(a!.leaseExpiresAtMs).toBe(T0 + LEASE);
      expect(await store.heartbeat('w1', T0 + 20_000)).toEqual([a!.attemptId]);
      expect((await store.requeueExpired(T0 + 40_000)).lost).toEqual([b!.attemptId]);
      // w2's lease expired and was taken back: its heartbeat renews nothing.
      expect(await store.heartbeat('w2', T0 + 40_001)).toEqual([]);
      expect((await store.requeueExpired(T0 + 50_000)).lost).toEqual([]);
      expect((await store.requeueExpired(T0 + 50_001)).lost).toEqual([a!.attemptId]);
    });

    it('re-queues an expired attempt and refuses the zombie worker’s late result', async () => {
      const { runId } = await store.createRun(
        { tasks: [{ asset: 'bars', partitionIndex: 7 }] },
        T0,
      );
      const [a1] = await store.claim('w1', { slots: 1, now: T0 });
      expect((await store.requeueExpired(T0 + LEASE)).lost).toEqual([]);
      const result = await store.requeueExpired(T0 + LEASE + 1);
      expect(result.lost).toEqual([a1!.attemptId]);
      expect(result.requeued).toHaveLength(1);
      const [a2] = await store.claim('w2', { slots: 1, now: T0 + LEASE + 2 });
      expect(a2).toMatchObject({ attemptId: result.requeued[0], attempt: 2 });
      // The zombie comes back: neither success nor failure is accepted from it.
      const err = await store
        .complete(a1!.attemptId, 'w1', {}, T0 + LEASE + 3)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PipelinesLeaseLostError);
      expect((err as PipelinesLeaseLostError).code).toBe('PIPELINES_LEASE_LOST');
      expect((err as Error).message).toMatch(/lease expired and it was re-queued/);
      await expect(store.fail(a1!.attemptId, 'w1', { message: 'late' })).rejects.toBeInstanceOf(
        PipelinesLeaseLostError,
      );
      // Nor can it report on the new attempt it never held.
      await expect(store.complete(a2!.attemptId, 'w1')).rejects.toThrow(/it is held by w2/);
      await store.complete(a2!.attemptId, 'w2', {}, T0 + LEASE + 10);
      const run = await store.getRun(runId);
      expect(run.state).toBe('succeeded');
      expect(run.attempts.map((a) => [a.attempt, a.state, a.exitReason, a.workerId])).toEqual([
        [1, 'lost', 'LOST', 'w1'],
        [2, 'succeeded', 'OK', 'w2'],
      ]);
      expect(run.attempts[0]!.error?.code).toBe('PIPELINES_LEASE_LOST');
      const status = await store.listPartitionStatus('bars');
      expect(status.items.map((i) => [i.index, i.state, i.lastRunId])).toEqual([
        [7, 'succeeded', runId],
      ]);
    });

    it('refuses a result once the lease has expired, even before the attempt is re-queued', async () => {
      await store.createRun({ tasks: [{ asset: 'a' }] }, T0);
      const [a] = await store.claim('w1', { slots: 1, now: T0 });
      await expect(store.complete(a!.attemptId, 'w1', {}, T0 + LEASE + 1)).rejects.toThrow(
        /its lease expired at 2024-03-15T12:00:30.000Z/,
      );
      await store.complete(a!.attemptId, 'w1', {}, T0 + LEASE);
    });

    it('checks the lease inside the transaction that commits an attempt’s output', async () => {
      await store.createRun({ tasks: [{ asset: 'a' }] }, T0);
      const [a] = await store.claim('w1', { slots: 1, now: T0 });
      await meta.transaction((trx) => store.checkLease(trx, a!.attemptId, 'w1', T0 + 1));
      await expect(
        meta.transaction((trx) => store.checkLease(trx, a!.attemptId, 'w9', T0 + 1)),
      ).rejects.toBeInstanceOf(PipelinesLeaseLostError);
      await store.requeueExpired(T0 + LEASE + 1);
      await expect(
        meta.transaction((trx) => store.checkLease(trx, a!.attemptId, 'w1', T0 + LEASE + 2)),
      ).rejects.toBeInstanceOf(PipelinesLeaseLostError);
    });

    it('fails a task that keeps losing its worker, and what depends on it', async () => {
      const { runId } = await store.createRun(
        { tasks: [{ asset: 'oom' }, { asset: 'after', deps: [0] }] },
        T0,
      );
      let now = T0;
      for (let lost = 1; lost <= 2; lost += 1) {
        await store.claim('w1', { slots: 1, now });
        now += LEASE + 1;
        const r = await store.requeueExpired(now);
        expect(r.requeued).toHaveLength(1);
      }
      await store.claim('w1', { slots: 1, now });
      now += LEASE + 1;
      const r = await store.requeueExpired(now);
      expect(r).toMatchObject({ requeued: [], failedTasks: [r.lost[0]] });
      const run = await store.getRun(runId);
      expect(run.state).toBe('failed');
      expect(run.attempts.map((a) => `${a.asset}#${a.attempt}:${a.state}`)).toEqual([
        'oom#1:lost',
        'oom#2:lost',
        'oom#3:lost',
        'after#1:upstream_failed',
      ]);
    });

    it('ends a lost attempt of a canceled run canceled instead of re-queuing it', async () => {
      const { runId } = await store.createRun({ tasks: [{ asset: 'a' }] }, T0);
      const [a] = await store.claim('w1', { slots: 1, now: T0 });
      expect((await store.cancelRun(runId, { now: T0 + 1 })).runningAttemptIds).toEqual([
        a!.attemptId,
      ]);
      const r = await store.requeueExpired(T0 + LEASE + 1);
      expect(r).toMatchObject({ lost: [a!.attemptId], requeued: [] });
      const run = await store.getRun(runId);
      expect(run).toMatchObject({ state: 'canceled', tasks: { finished: 1, unsuccessful: 1 } });
    });

    it('keeps a worker registry with heartbeats and lists dead workers', async () => {
      const w1 = await store.registerWorker({ id: 'w1', slots: 4 }, T0);
      expect(w1).toMatchObject({ id: 'w1', slots: 4, pid: process.pid, heartbeatAtMs: T0 });
      await store.registerWorker({ id: 'w2', host: 'node-b', pid: 42, slots: 2 }, T0);
      await store.heartbeat('w1', T0 + 50_000);
      expect((await store.listDeadWorkers({ now: T0 + 61_000 })).map((w) => w.id)).toEqual(['w2']);
      expect(await store.listDeadWorkers({ now: T0 + 61_000, timeoutMs: 100_000 })).toEqual([]);
      await store.createRun({ tasks: [{ asset: 'a' }] }, T0);
      await store.claim('w2', { slots: 1, now: T0 + 60_000 });
      expect(await store.listDeadWorkers({ now: T0 + 61_000 })).toEqual([]);
      const all = await store.listWorkers();
      expect(all.map((w) => [w.id, w.host, w.pid, w.slots])).toEqual([
        ['w1', w1.host, process.pid, 4],
        ['w2', 'node-b', 42, 2],
      ]);
      expect(await store.removeWorker('w2')).toBe(true);
      expect(await store.removeWorker('w2')).toBe(false);
      await expect(store.registerWorker({ slots: 0 })).rejects.toThrow(/slots 0/);
    });
  });
});
