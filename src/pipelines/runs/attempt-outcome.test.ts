import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');
const retry = { maxAttempts: 3, initialDelayMs: 1000, backoff: 2, maxDelayMs: 60_000, jitter: 0.5 };

describe.each(backends)('attempt outcomes on $name', (backend) => {
  describe.skipIf(backend.skip)('retries', () => {
    let dir: string;
    let url: string;
    let meta: MetaStore;
    let store: RunStore;
    let random: number;
    beforeEach(async () => {
      dir = makeTempDir();
      url = backend.url(dir);
      meta = await openMetaStore(url);
      random = 0;
      store = new RunStore(meta, { clock: () => T0, random: () => random });
    });
    afterEach(async () => {
      await meta.close();
      await backend.cleanup(url);
      removeDir(dir);
    });

    it('retries a failed attempt after exponential backoff, then fails the task when attempts run out', async () => {
      const { runId } = await store.createRun({ tasks: [{ asset: 'quotes', retry }] }, T0);
      const [a1] = await store.claim('w1', { slots: 1, now: T0 });
      const out1 = await store.fail(
        a1!.attemptId,
        'w1',
        { message: 'HTTP 503', code: 'E503' },
        T0 + 100,
      );
      expect(out1).toMatchObject({
        state: 'failed',
        taskState: 'queued',
        runState: 'running',
        retry: { attempt: 2, notBeforeMs: T0 + 1100 },
      });
      // Not claimable before the backoff has passed, claimable from its first millisecond.
      expect(await store.claim('w1', { slots: 1, now: T0 + 1099 })).toEqual([]);
      const [a2] = await store.claim('w1', { slots: 1, now: T0 + 1100 });
      expect(a2).toMatchObject({ attemptId: out1.retry!.attemptId, attempt: 2, queueSeconds: 0 });
      const out2 = await store.fail(a2!.attemptId, 'w1', { message: 'HTTP 503' }, T0 + 1200);
      expect(out2.retry).toMatchObject({ attempt: 3, notBeforeMs: T0 + 1200 + 2000 });
      expect(await store.claim('w1', { slots: 1, now: T0 + 3199 })).toEqual([]);
      const [a3] = await store.claim('w1', { slots: 1, now: T0 + 3500 });
      expect(a3).toMatchObject({ attempt: 3, queueSeconds: 0.3 });
      const out3 = await store.fail(a3!.attemptId, 'w1', { message: 'HTTP 503' }, T0 + 3600);
      expect(out3).toMatchObject({ taskState: 'failed', runState: 'failed' });
      expect(out3.retry).toBeUndefined();
      const run = await store.getRun(runId);
      expect(run.attempts.map((a) => [a.attempt, a.state, a.exitReason])).toEqual([
        [1, 'failed', 'ERROR'],
        [2, 'failed', 'ERROR'],
        [3, 'failed', 'ERROR'],
      ]);
      expect(run.attempts[0]!.error).toEqual({ message: 'HTTP 503', code: 'E503' });
      expect(run.finishedAt).toBe('2024-03-15T12:00:03.600Z');
      const events = await store.listRunEvents(runId);
      expect(events.filter((e) => e.entity === 'attempt').map((e) => `${e.from}->${e.to}`)).toEqual(
        [
          'queued->running',
          'running->failed',
          'null->queued',
          'queued->running',
          'running->failed',
          'null->queued',
          'queued->running',
          'running->failed',
        ],
      );
    });

    it('applies jitter from the injected random source and caps delays', async () => {
      random = 1; // the largest jitter: a 50 % shorter wait
      await store.createRun({ tasks: [{ asset: 'a', retry }] }, T0);
      const [a1] = await store.claim('w1', { slots: 1, now: T0 });
      const out = await store.fail(a1!.attemptId, 'w1', { message: 'x' }, T0);
      expect(out.retry?.notBeforeMs).toBe(T0 + 500);
      random = 0;
      const capped = {
        maxAttempts: 5,
        initialDelayMs: 10_000,
        backoff: 10,
        maxDelayMs: 15_000,
        jitter: 0,
      };
      await store.createRun({ tasks: [{ asset: 'b', retry: capped }] }, T0);
      let now = T0;
      const delays: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const [x] = (await store.claim('w1', { slots: 5, now })).filter((c) => c.asset === 'b');
        const o = await store.fail(x!.attemptId, 'w1', { message: 'x' }, now);
        delays.push(o.retry!.notBeforeMs - now);
        now = o.retry!.notBeforeMs;
      }
      expect(delays).toEqual([10_000, 15_000, 15_000]);
    });

    it('does not retry a non-retryable failure', async () => {
      const { runId } = await store.createRun({ tasks: [{ asset: 'a', retry }] }, T0);
      const [a1] = await store.claim('w1', { slots: 1, now: T0 });
      const out = await store.fail(a1!.attemptId, 'w1', {
        message: 'bad row',
        code: 'PIPELINES_NON_RETRYABLE',
        retryable: false,
      });
      expect(out).toMatchObject({ taskState: 'failed', runState: 'failed' });
      expect((await store.getRun(runId)).attempts).toHaveLength(1);
    });

    it('succeeds after a retry, with one attempt row per try and the downstream task released', async () => {
      const { runId } = await store.createRun(
        {
          tasks: [
            { asset: 'a', retry },
            { asset: 'b', deps: [0] },
          ],
        },
        T0,
      );
      const [a1] = await store.claim('w1', { slots: 2, now: T0 });
      const out = await store.fail(
        a1!.attemptId,
        'w1',
        { message: 'timeout', exitReason: 'TIMEOUT' },
        T0 + 50,
      );
      expect((await store.getRun(runId)).attempts.find((a) => a.asset === 'b')?.state).toBe(
        'waiting',
      );
      const [a2] = await store.claim('w1', { slots: 2, now: T0 + 5000 });
      expect(a2?.attemptId).toBe(out.retry?.attemptId);
      expect(a2?.queueSeconds).toBe(3.95);
      await store.complete(a2!.attemptId, 'w1', {}, T0 + 6000);
      const [b] = await store.claim('w1', { slots: 2, now: T0 + 6000 });
      expect((await store.complete(b!.attemptId, 'w1', {}, T0 + 7000)).runState).toBe('succeeded');
      const run = await store.getRun(runId);
      expect(run.attempts.map((a) => [a.asset, a.attempt, a.state, a.exitReason])).toEqual([
        ['a', 1, 'failed', 'TIMEOUT'],
        ['a', 2, 'succeeded', 'OK'],
        ['b', 1, 'succeeded', 'OK'],
      ]);
      expect(run.attempts[1]).toMatchObject({ wallSeconds: 1, queueSeconds: 3.95 });
    });

    it('lets a worker skip the task it runs, which skips what depends on it', async () => {
      const { runId } = await store.createRun({
        tasks: [{ asset: 'a' }, { asset: 'b', deps: [0] }],
      });
      const [a] = await store.claim('w1', { slots: 1 });
      const out = await store.complete(a!.attemptId, 'w1', { skipped: true });
      expect(out).toMatchObject({ state: 'skipped', runState: 'succeeded' });
      expect((await store.getRun(runId)).attempts.map((x) => x.state)).toEqual([
        'skipped',
        'skipped',
      ]);
    });
  });
});
