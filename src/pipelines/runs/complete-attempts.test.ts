import { beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { useMetaStore } from '../../../test/helpers/meta-fixture.js';
import {
  PipelinesInvalidTransitionError,
  PipelinesLeaseLostError,
  PipelinesRunArgumentInvalidError,
} from '../errors.js';
import type { AttemptSuccess } from './attempt-outcome.js';
import type { AttemptReportInput } from './attempt-reports.js';
import type { ClaimedAttempt } from './claim-attempts.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');

const success = (
  c: ClaimedAttempt,
  extra: { workerId?: string; result?: AttemptSuccess } = {},
): AttemptReportInput => ({
  kind: 'complete',
  runId: c.runId,
  attemptId: c.attemptId,
  workerId: extra.workerId ?? 'w1',
  result: extra.result ?? {},
});

describe.each(backends)('successes of one run recorded together on $name', (backend) => {
  describe.skipIf(backend.skip)('store.report', () => {
    const db = useMetaStore(backend);
    let store: RunStore;
    beforeEach(() => {
      store = new RunStore(db.meta, { clock: () => T0, random: () => 0, leaseMs: 1000 });
    });

    it('ends a fan-out with each attempt its own figures, partition status and one run end', async () => {
      const tasks = ['k0', 'k1', 'k2', 'k3'].map((key, i) => ({
        asset: 'fan',
        partition: key,
        partitionIndex: i,
      }));
      const run = await store.createRun({ tasks }, T0);
      const claims = await store.claim('w1', { slots: 4, now: T0 });
      const results = await store.report(
        claims.map((c) =>
          success(c, {
            result: { rowsWritten: c.taskIndex * 10, wallSeconds: 0.5, cpuUserSeconds: 0.25 },
          }),
        ),
        T0 + 100,
      );
      expect(results.every((r) => r.ok)).toBe(true);
      const states = results.map((r) => (r.ok ? r.outcome.runState : undefined));
      // As if recorded one by one: only the last report sees the run end.
      expect(states).toEqual(['running', 'running', 'running', 'succeeded']);
      const view = await store.getRun(run.runId);
      expect(view.state).toBe('succeeded');
      expect(
        view.attempts.map((a) => [a.partition, a.state, a.rowsWritten, a.wallSeconds]),
      ).toEqual([
        ['k0', 'succeeded', '0', 0.5],
        ['k1', 'succeeded', '10', 0.5],
        ['k2', 'succeeded', '20', 0.5],
        ['k3', 'succeeded', '30', 0.5],
      ]);
      const page = await store.listPartitionStatus('fan', {});
      expect(page.items.map((p) => [p.index, p.state, p.lastRunId])).toEqual(
        [0, 1, 2, 3].map((i) => [i, 'succeeded', run.runId]),
      );
      const ended = (await store.listRunEvents(run.runId)).filter((e) => e.to === 'succeeded');
      expect(ended.map((e) => e.entity).sort()).toEqual([
        'attempt',
        'attempt',
        'attempt',
        'attempt',
        'run',
      ]);
    });

    it('releases what waits on the tasks: queued after a success, skipped after a skip', async () => {
      const run = await store.createRun(
        {
          tasks: [
            { asset: 'a' },
            { asset: 'b' },
            { asset: 'after_a', deps: [0] },
            { asset: 'after_b', deps: [1] },
            { asset: 'after_both', deps: [0, 1] },
          ],
        },
        T0,
      );
      const claims = await store.claim('w1', { slots: 5, now: T0 });
      expect(claims.map((c) => c.asset).sort()).toEqual(['a', 'b']);
      const [a, b] = [claims.find((c) => c.asset === 'a')!, claims.find((c) => c.asset === 'b')!];
      const results = await store.report(
        [success(a), success(b, { result: { skipped: true } })],
        T0 + 10,
      );
      expect(results.map((r) => r.ok && r.outcome.state)).toEqual(['succeeded', 'skipped']);
      const view = await store.getRun(run.runId);
      expect(view.state).toBe('running');
      expect(view.attempts.map((x) => [x.asset, x.state])).toEqual([
        ['a', 'succeeded'],
        ['b', 'skipped'],
        ['after_a', 'queued'],
        ['after_b', 'skipped'],
        ['after_both', 'skipped'],
      ]);
      const next = await store.claim('w1', { slots: 5, now: T0 + 20 });
      expect(next.map((c) => c.asset)).toEqual(['after_a']);
      const [done] = await store.report([success(next[0]!)], T0 + 30);
      expect(done).toMatchObject({ ok: true, outcome: { runState: 'succeeded' } });
    });

    it('refuses an expired lease and a report by another worker, recording the rest', async () => {
      const run = await store.createRun(
        { tasks: [{ asset: 'x' }, { asset: 'y' }, { asset: 'z' }] },
        T0,
      );
      const early = await store.claim('w1', { slots: 1, now: T0 });
      const late = await store.claim('w1', { slots: 2, now: T0 + 600 });
      const [x] = early;
      const [y, z] = late;
      // Past x's lease (T0 + 1000), within y's and z's (T0 + 1600).
      const results = await store.report(
        [success(x!), success(y!), success(z!, { workerId: 'w2' })],
        T0 + 1200,
      );
      expect(results.map((r) => r.ok)).toEqual([false, true, false]);
      expect(!results[0]!.ok && results[0]!.error).toBeInstanceOf(PipelinesLeaseLostError);
      expect(!results[2]!.ok && results[2]!.error).toBeInstanceOf(PipelinesLeaseLostError);
      const view = await store.getRun(run.runId);
      expect(view.attempts.map((a) => [a.asset, a.state])).toEqual([
        ['x', 'running'],
        ['y', 'succeeded'],
        ['z', 'running'],
      ]);
      expect(view.tasks.finished).toBe(1);
    });

    it('records a report given twice once, refusing the second', async () => {
      await store.createRun({ tasks: [{ asset: 'x' }, { asset: 'y' }] }, T0);
      const [x, y] = await store.claim('w1', { slots: 2, now: T0 });
      const results = await store.report([success(x!), success(x!), success(y!)], T0 + 10);
      expect(results.filter((r) => r.ok)).toHaveLength(2);
      const refused = results.filter((r) => !r.ok);
      expect(refused).toHaveLength(1);
      expect(!refused[0]!.ok && refused[0]!.error).toBeInstanceOf(PipelinesInvalidTransitionError);
      expect((await store.getRun(x!.runId)).state).toBe('succeeded');
    });

    it('claims what the reports made ready, and what was queued already', async () => {
      // A chain: the report readies the next task, claimed in the report's transaction.
      await store.createRun({ tasks: [{ asset: 'first' }, { asset: 'then', deps: [0] }] }, T0);
      const [first] = await store.claim('w1', { slots: 1, now: T0 });
      const chain = await store.reportAndClaim([success(first!)], 'w1', { slots: 4 }, T0 + 10);
      expect(chain.results[0]).toMatchObject({ ok: true, outcome: { runState: 'running' } });
      expect(chain.claimed.map((c) => c.asset)).toEqual(['then']);
      // A fan-out: the reports ready nothing; the claim takes the partitions still queued.
      const fan = await store.createRun(
        { tasks: ['p0', 'p1', 'p2', 'p3'].map((asset) => ({ asset })) },
        T0 + 20,
      );
      const held = await store.claim('w2', { slots: 2, now: T0 + 30 });
      const more = await store.reportAndClaim(
        held.map((c) => success(c, { workerId: 'w2' })),
        'w2',
        { slots: 4 },
        T0 + 40,
      );
      expect(more.results.map((r) => r.ok)).toEqual([true, true]);
      expect(more.claimed.map((c) => c.asset)).toEqual(['p2', 'p3']);
      expect((await store.getRun(fan.runId)).tasks.finished).toBe(2);
    });

    it('records the reports on their own when the claim of their transaction fails', async () => {
      const run = await store.createRun({ tasks: [{ asset: 'x' }, { asset: 'y' }] }, T0);
      const claims = await store.claim('w1', { slots: 2, now: T0 });
      const done = await store.reportAndClaim(
        claims.map((c) => success(c)),
        'w1',
        { slots: -1 },
        T0 + 10,
      );
      expect(done.results.map((r) => r.ok)).toEqual([true, true]);
      expect(done.claimed).toEqual([]);
      expect(done.claimError).toBeInstanceOf(PipelinesRunArgumentInvalidError);
      expect((await store.getRun(run.runId)).state).toBe('succeeded');
    });

    it('records a report on its own when the claim of what it readied fails', async () => {
      const run = await store.createRun(
        { tasks: [{ asset: 'first' }, { asset: 'then', deps: [0] }] },
        T0,
      );
      const [first] = await store.claim('w1', { slots: 1, now: T0 });
      const done = await store.reportAndClaim([success(first!)], 'w1', { slots: -1 }, T0 + 10);
      expect(done.results[0]).toMatchObject({ ok: true, outcome: { state: 'succeeded' } });
      expect(done.claimError).toBeInstanceOf(PipelinesRunArgumentInvalidError);
      const view = await store.getRun(run.runId);
      expect(view.attempts.map((a) => [a.asset, a.state])).toEqual([
        ['first', 'succeeded'],
        ['then', 'queued'],
      ]);
    });
  });
});
