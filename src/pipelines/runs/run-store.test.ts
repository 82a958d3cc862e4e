import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import {
  PipelinesInvalidTransitionError,
  PipelinesRunArgumentInvalidError,
  PipelinesRunNotFoundError,
  PipelinesRunPlanInvalidError,
} from '../errors.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(backends)('run store on $name', (backend) => {
  describe.skipIf(backend.skip)('runs', () => {
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
      store = new RunStore(meta, { clock: () => clock.ms, random: () => 0 });
    });
    afterEach(async () => {
      await meta.close();
      await backend.cleanup(url);
      removeDir(dir);
    });

    it('creates a run atomically: roots queued, the others waiting', async () => {
      const { runId, attemptIds } = await store.createRun({
        kind: 'manual',
        job: 'daily',
        tags: { team: 'data' },
        tasks: [
          { asset: 'raw', partition: '2024-03-14' },
          { asset: 'clean', partition: '2024-03-14', deps: [0] },
        ],
      });
      expect(attemptIds).toHaveLength(2);
      const run = await store.getRun(runId);
      expect(run).toMatchObject({
        id: runId,
        state: 'queued',
        kind: 'manual',
        job: 'daily',
        priority: 100,
        createdAt: '2024-03-15T12:00:00.000Z',
        startedAt: null,
        finishedAt: null,
        tags: { team: 'data' },
        selection: { assets: ['raw', 'clean'] },
        tasks: { total: 2, finished: 0, unsuccessful: 0 },
      });
      expect(run.attempts.map((a) => [a.asset, a.partition, a.state, a.attempt])).toEqual([
        ['raw', '2024-03-14', 'queued', 1],
        ['clean', '2024-03-14', 'waiting', 1],
      ]);
      const events = await store.listRunEvents(runId);
      expect(events.map((e) => [e.entity, e.from, e.to])).toEqual([['run', null, 'queued']]);
    });

    it('rejects bad plans before storing anything', async () => {
      const bad = [
        { tasks: [] },
        { tasks: [{ asset: '' }] },
        { tasks: [{ asset: 'a', deps: [1] }] },
        { tasks: [{ asset: 'a', deps: [0] }] },
        {
          tasks: [
            { asset: 'a', deps: [1] },
            { asset: 'b', deps: [0] },
          ],
        },
        { tasks: [{ asset: 'a', maxAttempts: 0 }] },
        { tasks: [{ asset: 'a', retry: { backoff: 0.5 } }] },
        { kind: 'nightly' as never, tasks: [{ asset: 'a' }] },
      ];
      for (const plan of bad) {
        await expect(store.createRun(plan), JSON.stringify(plan)).rejects.toBeInstanceOf(
          PipelinesRunPlanInvalidError,
        );
      }
      await expect(store.createRun(bad[4]!)).rejects.toThrow(/cycle among tasks/);
      expect((await store.listRuns()).runs).toEqual([]);
    });

    it('serves a run in the `runs show --json` shape with ISO timestamps and measured figures', async () => {
      const { runId } = await store.createRun({ tasks: [{ asset: 'bars', partition: 'AAPL' }] });
      clock.ms = T0 + 1500;
      const [claimed] = await store.claim('w1', { slots: 1 });
      clock.ms = T0 + 4000;
      await store.complete(claimed!.attemptId, 'w1', {
        wallSeconds: 2.5,
        cpuUserSeconds: 1.25,
        cpuSystemSeconds: 0.5,
        peakRssBytes: 314_572_800,
        rowsWritten: 1000,
        bytesRead: 10,
        bytesWritten: 20_480,
        metadata: { source: 'fixture' },
      });
      const run = await store.getRun(runId);
      const json = JSON.parse(JSON.stringify(run)) as typeof run;
      expect(json).toMatchObject({
        id: runId,
        state: 'succeeded',
        createdAt: '2024-03-15T12:00:00.000Z',
        startedAt: '2024-03-15T12:00:01.500Z',
        finishedAt: '2024-03-15T12:00:04.000Z',
      });
      expect(json.attempts).toEqual([
        expect.objectContaining({
          startedAt: '2024-03-15T12:00:01.500Z',
          finishedAt: '2024-03-15T12:00:04.000Z',
          asset: 'bars',
          partition: 'AAPL',
          state: 'succeeded',
          attempt: 1,
          exitReason: 'OK',
          wallSeconds: 2.5,
          queueSeconds: 1.5,
          cpuUserSeconds: 1.25,
          cpuSystemSeconds: 0.5,
          peakRssBytes: '314572800',
          rowsWritten: '1000',
          bytesRead: '10',
          bytesWritten: '20480',
          metadata: { source: 'fixture' },
          error: null,
        }),
      ]);
      for (const t of [json.createdAt, json.startedAt, json.finishedAt]) expect(t).toMatch(ISO_MS);
    });

    it('lists runs newest first, paginated, filtered by state, asset and kind', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        clock.ms = T0 + i;
        const asset = i % 2 === 0 ? 'even' : 'odd';
        ids.push(
          (await store.createRun({ kind: i === 4 ? 'backfill' : 'manual', tasks: [{ asset }] }))
            .runId,
        );
      }
      await store.cancelRun(ids[1]!);
      const first = await store.listRuns({ limit: 2 });
      expect(first.runs.map((r) => r.id)).toEqual([ids[4], ids[3]]);
      const second = await store.listRuns({ limit: 2, before: first.next });
      expect(second.runs.map((r) => r.id)).toEqual([ids[2], ids[1]]);
      const third = await store.listRuns({ limit: 2, before: second.next });
      expect(third.runs.map((r) => r.id)).toEqual([ids[0]]);
      expect(third.next).toBeUndefined();
      expect((await store.listRuns({ asset: 'odd' })).runs.map((r) => r.id)).toEqual([
        ids[3],
        ids[1],
      ]);
      expect((await store.listRuns({ state: 'canceled' })).runs.map((r) => r.id)).toEqual([ids[1]]);
      expect((await store.listRuns({ kind: 'backfill' })).runs.map((r) => r.id)).toEqual([ids[4]]);
      await expect(store.listRuns({ state: 'done' as never })).rejects.toBeInstanceOf(
        PipelinesRunArgumentInvalidError,
      );
    });

    it('gives unknown runs a clear not-found error', async () => {
      await expect(store.getRun('r404')).rejects.toBeInstanceOf(PipelinesRunNotFoundError);
      await expect(store.cancelRun('r404')).rejects.toThrow(/No run r404/);
    });

    it('refuses illegal transitions at the store level without changing anything', async () => {
      const { runId, attemptIds } = await store.createRun({
        tasks: [{ asset: 'a' }, { asset: 'b', deps: [0] }],
      });
      // A queued attempt was never claimed: it cannot succeed or fail.
      const err = await store.complete(attemptIds[0]!, 'w1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PipelinesInvalidTransitionError);
      expect((err as Error).message).toMatch(/from queued to succeeded/);
      await expect(store.fail(attemptIds[1]!, 'w1', { message: 'x' })).rejects.toBeInstanceOf(
        PipelinesInvalidTransitionError,
      );
      const [a] = await store.claim('w1', { slots: 1 });
      await store.complete(a!.attemptId, 'w1');
      // Completing twice, or skipping a finished task, is refused.
      await expect(store.complete(a!.attemptId, 'w1')).rejects.toBeInstanceOf(
        PipelinesInvalidTransitionError,
      );
      await expect(store.skipTask(runId, 0)).rejects.toBeInstanceOf(
        PipelinesInvalidTransitionError,
      );
      const [b] = await store.claim('w1', { slots: 1 });
      await expect(store.skipTask(runId, 1)).rejects.toThrow(/from running to skipped/);
      await store.complete(b!.attemptId, 'w1');
      expect((await store.getRun(runId)).state).toBe('succeeded');
      // A finished run can be neither canceled nor restarted.
      await expect(store.cancelRun(runId)).rejects.toThrow(/A succeeded run is final/);
    });

    it('skips tasks, and what waits only on skipped tasks, and still succeeds the run', async () => {
      const { runId } = await store.createRun({
        tasks: [{ asset: 'a' }, { asset: 'b', deps: [0] }, { asset: 'c', deps: [1] }],
      });
      expect(await store.skipTask(runId, 0, 'market closed')).toBe('succeeded');
      const run = await store.getRun(runId);
      expect(run.attempts.map((a) => a.state)).toEqual(['skipped', 'skipped', 'skipped']);
      expect(run.startedAt).not.toBeNull();
      const events = await store.listRunEvents(runId);
      expect(events.filter((e) => e.entity === 'run').map((e) => e.to)).toEqual([
        'queued',
        'running',
        'succeeded',
      ]);
    });

    it('validates its options', () => {
      expect(() => new RunStore(meta, { leaseMs: 0 })).toThrow(/leaseMs is 0/);
      expect(() => new RunStore(meta, { logCapKiB: 1.5 })).toThrow(
        PipelinesRunArgumentInvalidError,
      );
    });
  });
});
