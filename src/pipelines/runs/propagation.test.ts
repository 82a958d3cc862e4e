import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import type { ClaimedAttempt } from './claim-attempts.js';
import type { TaskPlan } from './run-plan.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');

/** a -> b, a -> c, (b, c) -> d */
const diamond = (maxAttempts = 1): TaskPlan[] => [
  { asset: 'a', maxAttempts },
  { asset: 'b', deps: [0], maxAttempts },
  { asset: 'c', deps: [0], maxAttempts },
  { asset: 'd', deps: [1, 2], maxAttempts },
];

describe.each(backends)('dependency propagation on $name', (backend) => {
  describe.skipIf(backend.skip)('diamond graphs', () => {
    let dir: string;
    let url: string;
    let meta: MetaStore;
    let store: RunStore;
    beforeEach(async () => {
      dir = makeTempDir();
      url = backend.url(dir);
      meta = await openMetaStore(url);
      store = new RunStore(meta, { clock: () => T0, random: () => 0 });
    });
    afterEach(async () => {
      await meta.close();
      await backend.cleanup(url);
      removeDir(dir);
    });

    const states = async (runId: string): Promise<Record<string, string>> => {
      const run = await store.getRun(runId);
      return Object.fromEntries(run.attempts.map((a) => [a.asset, a.state]));
    };
    const claimOne = async (asset: string): Promise<ClaimedAttempt> => {
      const claimed = await store.claim('w1', { slots: 10 });
      const mine = claimed.find((c) => c.asset === asset);
      if (!mine)
        throw new Error(`${asset} was not claimable: ${claimed.map((c) => c.asset).join()}`);
      return mine;
    };

    it('queues a join only when all its upstream tasks succeeded, then succeeds the run', async () => {
      const { runId } = await store.createRun({ tasks: diamond() });
      expect(await states(runId)).toEqual({
        a: 'queued',
        b: 'waiting',
        c: 'waiting',
        d: 'waiting',
      });
      const [a] = await store.claim('w1', { slots: 10 });
      expect(a?.asset).toBe('a');
      expect((await store.getRun(runId)).state).toBe('running');
      await store.complete(a!.attemptId, 'w1');
      expect(await states(runId)).toEqual({
        a: 'succeeded',
        b: 'queued',
        c: 'queued',
        d: 'waiting',
      });
      const bc = await store.claim('w1', { slots: 10 });
      expect(bc.map((x) => x.asset).sort()).toEqual(['b', 'c']);
      const b = bc.find((x) => x.asset === 'b')!;
      const c = bc.find((x) => x.asset === 'c')!;
      await store.complete(b.attemptId, 'w1');
      expect((await states(runId)).d).toBe('waiting');
      const outcome = await store.complete(c.attemptId, 'w1');
      expect(outcome.runState).toBe('running');
      expect((await states(runId)).d).toBe('queued');
      const d = await claimOne('d');
      expect((await store.complete(d.attemptId, 'w1')).runState).toBe('succeeded');
      const run = await store.getRun(runId);
      expect(run.state).toBe('succeeded');
      expect(run.tasks).toEqual({ total: 4, finished: 4, unsuccessful: 0 });
      const events = await store.listRunEvents(runId);
      const dEvents = events.filter((e) => e.taskIndex === 3).map((e) => `${e.from}->${e.to}`);
      expect(dEvents).toEqual(['waiting->queued', 'queued->running', 'running->succeeded']);
      expect(events.filter((e) => e.entity === 'run').map((e) => e.to)).toEqual([
        'queued',
        'running',
        'succeeded',
      ]);
    });

    it('makes the join upstream_failed as soon as one branch fails, and fails the run at the end', async () => {
      const { runId } = await store.createRun({ tasks: diamond() });
      await store.complete((await claimOne('a')).attemptId, 'w1');
      const bc = await store.claim('w1', { slots: 10 });
      const b = bc.find((x) => x.asset === 'b')!;
      const c = bc.find((x) => x.asset === 'c')!;
      const failed = await store.fail(b.attemptId, 'w1', { message: 'provider down' });
      expect(failed).toMatchObject({ state: 'failed', taskState: 'failed', runState: 'running' });
      expect(await states(runId)).toEqual({
        a: 'succeeded',
        b: 'failed',
        c: 'running',
        d: 'upstream_failed',
      });
      expect((await store.complete(c.attemptId, 'w1')).runState).toBe('failed');
      const run = await store.getRun(runId);
      expect(run).toMatchObject({
        state: 'failed',
        tasks: { total: 4, finished: 4, unsuccessful: 2 },
      });
      expect(run.error).toBe('2 of 4 task(s) did not succeed.');
      expect(run.attempts.find((x) => x.asset === 'b')).toMatchObject({
        exitReason: 'ERROR',
        error: { message: 'provider down', code: null },
      });
    });

    it('propagates upstream_failed transitively and finishes the run at once', async () => {
      const { runId } = await store.createRun({
        tasks: [...diamond(), { asset: 'e', deps: [3] }, { asset: 'other' }],
      });
      const claimed = await store.claim('w1', { slots: 10 });
      expect(claimed.map((x) => x.asset).sort()).toEqual(['a', 'other']);
      await store.complete(claimed.find((x) => x.asset === 'other')!.attemptId, 'w1');
      const out = await store.fail(claimed.find((x) => x.asset === 'a')!.attemptId, 'w1', {
        message: 'bad',
        retryable: false,
      });
      expect(out.runState).toBe('failed');
      expect(await states(runId)).toEqual({
        a: 'failed',
        b: 'upstream_failed',
        c: 'upstream_failed',
        d: 'upstream_failed',
        e: 'upstream_failed',
        other: 'succeeded',
      });
    });

    it('fans out and joins a wide graph', async () => {
      const width = 300;
      const tasks: TaskPlan[] = [{ asset: 'root' }];
      for (let i = 0; i < width; i += 1) tasks.push({ asset: `leaf_${i}`, deps: [0] });
      tasks.push({ asset: 'join', deps: tasks.map((_, i) => i).slice(1) });
      const { runId } = await store.createRun({ tasks });
      await store.complete((await claimOne('root')).attemptId, 'w1');
      let done = 0;
      for (;;) {
        const batch = await store.claim('w1', { slots: 64 });
        if (batch.length === 0) break;
        for (const x of batch) {
          expect(x.asset).not.toBe('join');
          await store.complete(x.attemptId, 'w1');
          done += 1;
          if (x.asset === 'join') break;
        }
        if (done === width) break;
      }
      expect(done).toBe(width);
      const join = await claimOne('join');
      expect((await store.complete(join.attemptId, 'w1')).runState).toBe('succeeded');
      expect((await store.getRun(runId)).tasks.finished).toBe(width + 2);
    });

    it('queues a join exactly once when two stores finish its upstream tasks concurrently', async () => {
      // better-sqlite3 is synchronous: two connections of one process would block each other's
      // thread, so SQLite shares one store (one process, one connection, as in production).
      const other = backend.name === 'postgres' ? await openMetaStore(url) : meta;
      const store2 = new RunStore(other, { clock: () => T0 });
      try {
        for (let round = 0; round < 5; round += 1) {
          const { runId } = await store.createRun({
            tasks: [{ asset: 'b' }, { asset: 'c' }, { asset: 'd', deps: [0, 1] }],
          });
          const claimed = await store.claim('w1', { slots: 10 });
          const mine = claimed.filter((x) => x.runId === runId);
          expect(mine).toHaveLength(2);
          await Promise.all([
            store.complete(mine[0]!.attemptId, 'w1'),
            store2.complete(mine[1]!.attemptId, 'w1'),
          ]);
          expect((await states(runId)).d).toBe('queued');
          const d = await store.claim('w1', { slots: 10 });
          expect(d.map((x) => x.asset)).toEqual(['d']);
          await store.complete(d[0]!.attemptId, 'w1');
          expect((await store.getRun(runId)).state).toBe('succeeded');
        }
        expect(store.transientRetries + store2.transientRetries).toBe(0);
      } finally {
        if (other !== meta) await other.close();
      }
    });
  });
});
