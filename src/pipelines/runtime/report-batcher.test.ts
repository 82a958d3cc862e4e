import { describe, expect, it } from 'vitest';
import type {
  AttemptOutcome,
  AttemptReportInput,
  AttemptReportResult,
  ClaimedAttempt,
} from '../runs/index.js';
import { ReportBatcher } from './report-batcher.js';

const input = (attemptId: string): AttemptReportInput => ({
  kind: 'complete',
  runId: 'run_1',
  attemptId,
  workerId: 'w1',
  result: {},
});

const outcome = (attemptId: string): AttemptOutcome => ({
  attemptId,
  state: 'succeeded',
  taskState: 'succeeded',
  runState: 'running',
});

/** A store whose transactions take one macrotask, recording the batches it was given. */
function fakeStore(refuse: Set<string> = new Set(), fail = false) {
  const batches: string[][] = [];
  const report = async (reports: readonly AttemptReportInput[]): Promise<AttemptReportResult[]> => {
    batches.push(reports.map((r) => r.attemptId));
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (fail) throw new Error('database down');
    return reports.map((r) =>
      refuse.has(r.attemptId)
        ? { ok: false as const, error: new Error(`refused ${r.attemptId}`) }
        : { ok: true as const, outcome: outcome(r.attemptId) },
    );
  };
  const claims: { workerId: string; slots: number }[] = [];
  return {
    batches,
    claims,
    report,
    reportAndClaim: async (
      reports: readonly AttemptReportInput[],
      workerId: string,
      options: { slots: number },
    ) => {
      const results = await report(reports);
      claims.push({ workerId, slots: options.slots });
      const claimed = [{ attemptId: `next_${batches.length}` } as ClaimedAttempt];
      return { results, claimed };
    },
  };
}

describe('ReportBatcher', () => {
  it('writes a lone report at once and groups those that arrive while it is written', async () => {
    const store = fakeStore();
    const batcher = new ReportBatcher(store);
    const first = batcher.submit(input('a1'));
    const rest = ['a2', 'a3', 'a4'].map((id) => batcher.submit(input(id)));
    expect((await first).outcome.attemptId).toBe('a1');
    expect((await Promise.all(rest)).map((o) => o.outcome.attemptId)).toEqual(['a2', 'a3', 'a4']);
    expect(store.batches).toEqual([['a1'], ['a2', 'a3', 'a4']]);
    // Idle again: the next report is written alone, without waiting.
    await batcher.submit(input('a5'));
    expect(store.batches.at(-1)).toEqual(['a5']);
  });

  it('rejects only the refused report of a batch', async () => {
    const batcher = new ReportBatcher(fakeStore(new Set(['a2'])));
    const results = await Promise.allSettled(
      ['a1', 'a2', 'a3'].map((id) => batcher.submit(input(id))),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('refused a2'));
  });

  it('rejects every report of a batch whose transaction failed, and keeps working', async () => {
    const store = fakeStore(new Set(), true);
    const batcher = new ReportBatcher(store);
    await expect(batcher.submit(input('a1'))).rejects.toThrow('database down');
    await expect(batcher.submit(input('a2'))).rejects.toThrow('database down');
    expect(store.batches).toEqual([['a1'], ['a2']]);
  });

  it('claims in the same transaction when the worker has room, before the reports settle', async () => {
    const store = fakeStore();
    const dispatched: string[] = [];
    const batcher = new ReportBatcher(store, {
      claimFor: (ending) => (ending > 1 ? { workerId: 'w1', slots: ending } : undefined),
      claimed: (claims) => dispatched.push(...claims.map((c) => c.attemptId)),
      claimFailed: () => undefined,
    });
    const alone = await batcher.submit(input('a1')); // room for less than 2: no claim
    expect(alone.claimed).toBe(false);
    const first = batcher.submit(input('a2'));
    const pair = [batcher.submit(input('a3')), batcher.submit(input('a4'))];
    await first;
    const recorded = await Promise.all(pair);
    expect(recorded.map((r) => r.claimed)).toEqual([true, true]);
    expect(store.claims).toEqual([{ workerId: 'w1', slots: 2 }]);
    expect(dispatched).toEqual(['next_3']);
  });

  it('tells how long each recorded batch took', async () => {
    const took: number[] = [];
    const batcher = new ReportBatcher(fakeStore(), {
      claimFor: () => undefined,
      claimed: () => undefined,
      claimFailed: () => undefined,
      wrote: (seconds) => took.push(seconds),
    });
    await Promise.all(['a1', 'a2', 'a3'].map((id) => batcher.submit(input(id))));
    // One lone report, then the two that arrived while it was written.
    expect(took).toHaveLength(2);
    expect(took.every((s) => Number.isFinite(s) && s >= 0)).toBe(true);
  });
});
