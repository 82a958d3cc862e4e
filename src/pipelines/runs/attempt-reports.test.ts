import { beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { useMetaStore } from '../../../test/helpers/meta-fixture.js';
import { PipelinesLeaseLostError } from '../errors.js';
import { inSavepoint } from './attempt-reports.js';
import type { TxContext } from './run-context.js';
import { recordEvents, type RunEventInput } from './run-events.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');

describe.each(backends)('reports recorded together on $name', (backend) => {
  describe.skipIf(backend.skip)('store.report', () => {
    const db = useMetaStore(backend);
    let store: RunStore;
    beforeEach(() => {
      store = new RunStore(db.meta, { clock: () => T0, random: () => 0 });
    });

    it('records successes and failures of two runs in one call, in any order', async () => {
      const a = await store.createRun({ tasks: [{ asset: 'a1' }, { asset: 'a2' }] }, T0);
      const b = await store.createRun({ tasks: [{ asset: 'b1', retry: { maxAttempts: 1 } }] }, T0);
      const claims = await store.claim('w1', { slots: 3, now: T0 });
      expect(claims).toHaveLength(3);
      const byAsset = new Map(claims.map((c) => [c.asset, c]));
      const results = await store.report(
        [
          { kind: 'fail', ...held(byAsset.get('b1')!), failure: { message: 'boom' } },
          { kind: 'complete', ...held(byAsset.get('a2')!), result: { rowsWritten: 2 } },
          { kind: 'complete', ...held(byAsset.get('a1')!), result: { rowsWritten: 1 } },
        ],
        T0 + 50,
      );
      const outcomes = results.map((r) => (r.ok ? r.outcome : undefined));
      expect(outcomes.map((o) => o?.state)).toEqual(['failed', 'succeeded', 'succeeded']);
      expect(outcomes[0]?.runState).toBe('failed');
      // Run a ends with whichever of its two reports was recorded second.
      expect([outcomes[1]?.runState, outcomes[2]?.runState].sort()).toEqual([
        'running',
        'succeeded',
      ]);
      expect((await store.getRun(a.runId)).state).toBe('succeeded');
      expect((await store.getRun(b.runId)).state).toBe('failed');
      const rows = (await store.getRun(a.runId)).attempts.map((x) => [x.asset, x.rowsWritten]);
      expect(rows).toEqual([
        ['a1', '1'],
        ['a2', '2'],
      ]);
    });

    it('refuses only the report whose lease was lost and records the rest', async () => {
      const run = await store.createRun({ tasks: [{ asset: 'x' }, { asset: 'y' }] }, T0);
      const claims = await store.claim('w1', { slots: 2, now: T0 });
      const [x, y] = [claims.find((c) => c.asset === 'x')!, claims.find((c) => c.asset === 'y')!];
      const results = await store.report(
        [
          { kind: 'complete', ...held(x), workerId: 'someone-else', result: {} },
          { kind: 'complete', ...held(y), result: {} },
        ],
        T0 + 10,
      );
      expect(results[0]).toMatchObject({ ok: false });
      expect(!results[0]!.ok && results[0]!.error).toBeInstanceOf(PipelinesLeaseLostError);
      expect(results[1]).toMatchObject({ ok: true, outcome: { state: 'succeeded' } });
      const view = await store.getRun(run.runId);
      expect(view.attempts.map((a) => [a.asset, a.state])).toEqual([
        ['x', 'running'],
        ['y', 'succeeded'],
      ]);
      // The refused attempt can still be reported by its holder.
      const [again] = await store.report([{ kind: 'complete', ...held(x), result: {} }], T0 + 20);
      expect(again).toMatchObject({ ok: true, outcome: { runState: 'succeeded' } });
    });

    it('reports a refused lone report and still claims for the worker', async () => {
      await store.createRun({ tasks: [{ asset: 'x' }] }, T0);
      const [x] = await store.claim('w1', { slots: 1, now: T0 });
      const refused = await store.report(
        [{ kind: 'complete', ...held(x!), workerId: 'w2', result: {} }],
        T0 + 5,
      );
      expect(refused[0]).toMatchObject({ ok: false });
      expect(!refused[0]!.ok && refused[0]!.error).toBeInstanceOf(PipelinesLeaseLostError);
      await store.createRun({ tasks: [{ asset: 'next' }] }, T0 + 6);
      const both = await store.reportAndClaim(
        [{ kind: 'complete', ...held(x!), workerId: 'w2', result: {} }],
        'w2',
        { slots: 1 },
        T0 + 10,
      );
      expect(both.results[0]).toMatchObject({ ok: false });
      expect(both.claimed.map((c) => c.asset)).toEqual(['next']);
      // The holder's own report and claim go through in one transaction.
      const mine = await store.reportAndClaim(
        [{ kind: 'complete', ...held(x!), result: {} }],
        'w1',
        { slots: 1 },
        T0 + 20,
      );
      expect(mine.results[0]).toMatchObject({ ok: true, outcome: { runState: 'succeeded' } });
      expect(mine.claimed).toEqual([]);
    });

    it('records nothing for an empty list', async () => {
      expect(await store.report([])).toEqual([]);
    });

    it('forgets the events recorded in a savepoint that was rolled back', async () => {
      const { runId } = await store.createRun({ tasks: [{ asset: 'x' }] }, T0);
      const event = (to: string): RunEventInput => ({ entity: 'run', runId, from: null, to });
      const events = await db.meta.transaction(async (trx) => {
        const ctx: TxContext = {
          trx,
          dialect: db.meta.dialect,
          now: T0,
          config: store.config,
          events: [],
        };
        recordEvents(ctx, [event('kept-before')]);
        const setJob = (job: string) =>
          trx.updateTable('runs').set({ job }).where('id', '=', runId).execute();
        const failed = await inSavepoint(ctx, async () => {
          await setJob('undone');
          recordEvents(ctx, [event('undone')]);
          throw new Error('refused');
        });
        const done = await inSavepoint(ctx, async () => {
          await setJob('kept');
          recordEvents(ctx, [event('kept-after')]);
        });
        expect([failed.ok, done.ok]).toEqual([false, true]);
        return ctx.events.map((e) => e.to);
      });
      expect(events).toEqual(['kept-before', 'kept-after']);
      expect((await store.runInfo(runId))?.job).toBe('kept');
    });
  });
});

function held(claim: { runId: string; attemptId: string }): {
  runId: string;
  attemptId: string;
  workerId: string;
} {
  return { runId: claim.runId, attemptId: claim.attemptId, workerId: 'w1' };
}
