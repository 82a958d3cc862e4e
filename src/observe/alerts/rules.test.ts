import { describe, expect, it } from 'vitest';
import { emptySnapshot, type AlertSnapshot } from './alert-snapshot.js';
import { DEFAULT_ALERT_SETTINGS } from './alert-settings.js';
import { evaluateRules } from './rules.js';

const NOW = Date.UTC(2024, 4, 6, 14, 0, 0);
const MIB = 1024 * 1024;

function rulesOf(patch: Partial<AlertSnapshot>) {
  return evaluateRules({ ...emptySnapshot(NOW), ...patch }, DEFAULT_ALERT_SETTINGS);
}

describe('built-in alert rules', () => {
  it('run_failed fires while the latest failure is newer than the latest success, or recent', () => {
    const failure = (runId: string, finishedAtMs: number) => ({
      runId,
      job: 'daily',
      kind: 'schedule',
      error: 'Error: boom\n    at run (x.ts:1:1)',
      failedPartitions: 2,
      finishedAtMs,
    });
    const hold = DEFAULT_ALERT_SETTINGS.runFailedHoldMs;
    const found = rulesOf({
      assetRuns: [
        { asset: 'ok', lastSuccessMs: NOW, lastFailure: undefined },
        { asset: 'bad', lastSuccessMs: NOW - 1000, lastFailure: failure('r2', NOW - 500) },
        { asset: 'never_ok', lastSuccessMs: undefined, lastFailure: failure('r3', NOW - 9 * hold) },
        { asset: 'recovered', lastSuccessMs: NOW - 100, lastFailure: failure('r4', NOW - 200) },
        { asset: 'long_ago', lastSuccessMs: NOW - 100, lastFailure: failure('r5', NOW - hold - 1) },
      ],
    });
    expect(found.map((c) => c.labels['asset'])).toEqual(['bad', 'never_ok', 'recovered']);
    expect(found[0]).toMatchObject({
      rule: 'run_failed',
      severity: 'critical',
      summary: 'Run r2 failed on asset bad: boom',
      details: { runId: 'r2', job: 'daily', failedPartitions: 2 },
    });
    expect(found[2]?.summary).toBe(
      'Run r4 failed on asset recovered: boom (a later run succeeded)',
    );
  });

  it('asset_stale compares the last success with the cutoff, and flags never-materialized assets', () => {
    const found = rulesOf({
      freshness: [
        {
          asset: 'fresh',
          policy: '1 session of XNYS',
          lastSuccessMs: NOW - 1000,
          staleBeforeMs: NOW - 5000,
        },
        {
          asset: 'old',
          policy: '1 session of XNYS',
          lastSuccessMs: NOW - 10_000,
          staleBeforeMs: NOW - 5000,
        },
        { asset: 'never', policy: '6h', lastSuccessMs: undefined, staleBeforeMs: NOW - 5000 },
      ],
    });
    expect(found.map((c) => [c.rule, c.labels['asset']])).toEqual([
      ['asset_stale', 'old'],
      ['asset_stale', 'never'],
    ]);
    expect(found[1]?.summary).toContain('never materialized');
  });

  it('check_failed maps the check severity (error: critical, warn: warning)', () => {
    const base = { partition: '2024', failingCount: 3, runId: 'r', ranAtMs: NOW };
    const found = rulesOf({
      checks: [
        { ...base, asset: 'bars', check: 'ohlc', severity: 'error', passed: false },
        { ...base, asset: 'bars', check: 'gaps', severity: 'warn', passed: false },
        { ...base, asset: 'bars', check: 'dups', severity: 'error', passed: true },
      ],
    });
    expect(found.map((c) => [c.labels['check'], c.severity, c.group])).toEqual([
      ['ohlc', 'critical', 'bars'],
      ['gaps', 'warning', 'bars'],
    ]);
  });

  it('worker_lost fires between the lost time and the forget time', () => {
    const t = DEFAULT_ALERT_SETTINGS;
    const found = rulesOf({
      workers: [
        { id: 'w1', host: 'a', pid: 1, heartbeatAtMs: NOW - 1000 },
        { id: 'w2', host: 'b', pid: 2, heartbeatAtMs: NOW - t.workerLostAfterMs - 1 },
        { id: 'w3', host: 'c', pid: 3, heartbeatAtMs: NOW - t.workerForgetAfterMs - 1 },
      ],
    });
    expect(found.map((c) => c.labels)).toEqual([{ worker: 'w2', host: 'b' }]);
  });

  it('schedule_lag fires when the due tick is late beyond the threshold', () => {
    const lag = DEFAULT_ALERT_SETTINGS.scheduleLagSeconds * 1000;
    const found = rulesOf({
      schedules: [
        { name: 'on_time', lastTickMs: NOW - 60_000, dueTickMs: NOW - 60_000 },
        { name: 'slightly', lastTickMs: NOW - 86_400_000, dueTickMs: NOW - lag + 1000 },
        { name: 'late', lastTickMs: NOW - 86_400_000, dueTickMs: NOW - lag - 1000 },
        { name: 'new', lastTickMs: undefined, dueTickMs: NOW - 86_400_000 },
      ],
    });
    expect(found.map((c) => c.labels['schedule'])).toEqual(['late']);
    expect(found[0]?.details['lagSeconds']).toBe(DEFAULT_ALERT_SETTINGS.scheduleLagSeconds + 1);
  });

  it('resource_budget fires for memory, CPU, wall time, OOM and timeouts', () => {
    const base = {
      runId: 'r',
      partition: null,
      exitReason: 'OK',
      wallSeconds: 10,
      cpuSeconds: 5,
      peakRssBytes: 100 * MIB,
      finishedAtMs: NOW,
    };
    const found = rulesOf({
      attempts: [
        { ...base, attemptId: 'a1', asset: 'within', budget: { memoryBytes: 200 * MIB, cpus: 1 } },
        { ...base, attemptId: 'a2', asset: 'memory', budget: { memoryBytes: 50 * MIB } },
        { ...base, attemptId: 'a3', asset: 'cpus', cpuSeconds: 30, budget: { cpus: 1 } },
        { ...base, attemptId: 'a4', asset: 'wall', budget: { wallSeconds: 5 } },
        { ...base, attemptId: 'a5', asset: 'oom', exitReason: 'OOM', budget: {} },
      ],
    });
    expect(found.map((c) => c.labels['asset'])).toEqual(['memory', 'cpus', 'wall', 'oom']);
    expect(found[0]?.summary).toContain('peak memory 100 MiB > 50 MiB');
    expect(found[1]?.summary).toContain('used 3.00 CPUs > 1 requested');
    expect(found[3]?.summary).toContain('OOM');
  });

  it('quarantine_rows fires above the threshold only', () => {
    const t = DEFAULT_ALERT_SETTINGS.quarantineRows;
    const found = rulesOf({
      quarantine: [
        { dataset: 'bars_1d', rows: t + 1 },
        { dataset: 'bars_1m', rows: t },
      ],
    });
    expect(found.map((c) => [c.rule, c.labels['dataset']])).toEqual([
      ['quarantine_rows', 'bars_1d'],
    ]);
    expect(found[0]?.summary).toContain('marketlake quarantine --dataset bars_1d');
  });
});
