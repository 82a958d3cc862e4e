import { describe, expect, it } from 'vitest';
import type { AttemptReport, AttemptResult, ClaimedAttempt } from '../pipelines/index.js';
import { AttemptSampler, FIRST_PER_RUN } from './attempt-sampling.js';

const T = new Date('2024-03-15T12:00:00.000Z');

interface Shape {
  state?: string;
  attempt?: number;
  wallSeconds?: number;
  rowsWritten?: number;
  httpRequests?: number;
}

/** An ended attempt of `runId`; by default a quick no-op that succeeded on its first try. */
function report(runId: string, i: number, shape: Shape = {}): AttemptReport {
  const claim = {
    attemptId: `${runId}_att_${i}`,
    runId,
    taskId: `${runId}_task_${i}`,
    asset: 'fan',
    partition: `k${i}`,
    attempt: shape.attempt ?? 1,
    pool: null,
    priority: 0,
    leaseExpiresAtMs: T.getTime() + 60_000,
    queueSeconds: 0,
  } as unknown as ClaimedAttempt;
  const result = {
    attemptId: claim.attemptId,
    runId,
    startedAt: T,
    finishedAt: T,
    exitReason: 'OK',
    usage: {
      wallSeconds: shape.wallSeconds ?? 0.01,
      rowsWritten: shape.rowsWritten ?? 0,
      bytesWritten: 0,
    },
    ...(shape.httpRequests !== undefined
      ? { http: { requests: Array.from({ length: shape.httpRequests }), unrecorded: 0 } }
      : {}),
  } as unknown as AttemptResult;
  const state = shape.state ?? 'succeeded';
  return { claim, result, outcome: { attemptId: claim.attemptId, state } as never };
}

describe('AttemptSampler', () => {
  it('traces every attempt of a run of up to a hundred, and of any run when every is 1', () => {
    const tenth = new AttemptSampler(10);
    for (let i = 0; i < FIRST_PER_RUN; i++) expect(tenth.keep(report('small', i))).toBe(true);
    expect(tenth.finishRun('small')).toBe(0);
    const all = new AttemptSampler(1);
    for (let i = 0; i < 1000; i++) expect(all.keep(report('big', i))).toBe(true);
    expect(all.finishRun('big')).toBe(0);
  });

  it('keeps one plain attempt in `every` past the first hundred, and counts the rest per run', () => {
    const sampler = new AttemptSampler(10);
    const kept: number[] = [];
    for (let i = 0; i < 300; i++) if (sampler.keep(report('r1', i))) kept.push(i);
    // Another run in between has counts of its own.
    for (let i = 0; i < 150; i++) sampler.keep(report('r2', i));
    expect(kept.slice(0, FIRST_PER_RUN)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(kept.slice(FIRST_PER_RUN)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i * 10));
    expect(sampler.finishRun('r1')).toBe(180);
    expect(sampler.finishRun('r2')).toBe(45);
    // A finished run is forgotten: the same id would start over.
    expect(sampler.finishRun('r1')).toBe(0);
  });

  it('always traces attempts that failed, retried, ran long, wrote rows or made requests', () => {
    const sampler = new AttemptSampler(1000);
    for (let i = 0; i < FIRST_PER_RUN + 1; i++) sampler.keep(report('r', i));
    const telling: Shape[] = [
      { state: 'failed' },
      { state: 'lost' },
      { attempt: 2 },
      { wallSeconds: 1.5 },
      { rowsWritten: 10 },
      { httpRequests: 1 },
    ];
    for (const [k, shape] of telling.entries())
      expect(sampler.keep(report('r', 1000 + k, shape))).toBe(true);
    expect(sampler.keep(report('r', 2000))).toBe(false);
    expect(sampler.finishRun('r')).toBe(1);
  });
});
