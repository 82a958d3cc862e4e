/**
 * The built-in alert rules: each reads the snapshot and returns the conditions true now. A rule
 * that stops returning a condition resolves its alert, so every rule describes a state (the
 * latest run of an asset failed), not an event (a run failed once), and resolves on its own when
 * the state clears (the next run succeeds).
 */
import type { AlertSnapshot } from './alert-snapshot.js';
import type { RuleThresholds } from './alert-settings.js';
import type { AlertCandidate } from './alert-types.js';

const MIB = 1024 * 1024;

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)}h`;
  return `${(s / 86_400).toFixed(1)}d`;
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/** The first line of an error (its stack stays in the details), without a bare `Error: `. */
function headline(error: string): string {
  return (error.split('\n')[0] ?? '').replace(/^Error: /, '').trim();
}

/**
 * run_failed: an asset's latest failure is newer than its latest success, or recent (within
 * `runFailedHoldMs`, so a failure followed at once by a success is still told); resolves after.
 */
export function runFailedRule(s: AlertSnapshot, t: RuleThresholds): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const r of s.assetRuns) {
    const f = r.lastFailure;
    if (f === undefined) continue;
    const unresolved = r.lastSuccessMs === undefined || f.finishedAtMs > r.lastSuccessMs;
    if (!unresolved && s.nowMs - f.finishedAtMs > t.runFailedHoldMs) continue;
    out.push({
      rule: 'run_failed',
      labels: { asset: r.asset },
      severity: 'critical',
      group: r.asset,
      summary: `Run ${f.runId} failed on asset ${r.asset}${f.error ? `: ${headline(f.error)}` : ''}${unresolved ? '' : ' (a later run succeeded)'}`,
      details: {
        runId: f.runId,
        job: f.job,
        kind: f.kind,
        error: f.error ?? null,
        failedPartitions: f.failedPartitions,
        finishedAt: iso(f.finishedAtMs),
        lastSuccessAt: iso(r.lastSuccessMs),
      },
    });
  }
  return out;
}

/** asset_stale: an asset with a freshness policy last materialized before its cutoff. */
export function assetStaleRule(s: AlertSnapshot): AlertCandidate[] {
  return s.freshness
    .filter((f) => f.lastSuccessMs === undefined || f.lastSuccessMs < f.staleBeforeMs)
    .map((f) => ({
      rule: 'asset_stale',
      labels: { asset: f.asset },
      severity: 'warning',
      group: f.asset,
      summary:
        f.lastSuccessMs === undefined
          ? `Asset ${f.asset} has never materialized (freshness ${f.policy})`
          : `Asset ${f.asset} is stale: last materialized ${ago(s.nowMs - f.lastSuccessMs)} ago, before ${iso(f.staleBeforeMs)} (freshness ${f.policy})`,
      details: {
        policy: f.policy,
        lastSuccessAt: iso(f.lastSuccessMs),
        staleBefore: iso(f.staleBeforeMs),
      },
    }));
}

/** check_failed: the latest run of a check failed; severity follows the check's (error: critical). */
export function checkFailedRule(s: AlertSnapshot): AlertCandidate[] {
  return s.checks
    .filter((c) => !c.passed)
    .map((c) => ({
      rule: 'check_failed',
      labels: { asset: c.asset, check: c.check },
      severity: c.severity === 'error' ? 'critical' : 'warning',
      group: c.asset,
      summary: `Check ${c.check} of ${c.asset}${c.partition ? ` (${c.partition})` : ''} failed: ${c.failingCount} failing row(s)`,
      details: {
        checkSeverity: c.severity,
        partition: c.partition,
        failingCount: c.failingCount,
        runId: c.runId,
        ranAt: iso(c.ranAtMs),
      },
    }));
}

/** worker_lost: a worker stopped heartbeating (and was not stopped cleanly). */
export function workerLostRule(s: AlertSnapshot, t: RuleThresholds): AlertCandidate[] {
  return s.workers
    .filter((w) => {
      const age = s.nowMs - w.heartbeatAtMs;
      return age > t.workerLostAfterMs && age <= t.workerForgetAfterMs;
    })
    .map((w) => ({
      rule: 'worker_lost',
      labels: { worker: w.id, host: w.host },
      severity: 'critical',
      group: w.host,
      summary: `Worker ${w.id} on ${w.host} (pid ${w.pid}) is lost: no heartbeat for ${ago(s.nowMs - w.heartbeatAtMs)}`,
      details: { pid: w.pid, lastHeartbeatAt: iso(w.heartbeatAtMs) },
    }));
}

/** schedule_lag: a schedule's due tick was not evaluated within the allowed lag. */
export function scheduleLagRule(s: AlertSnapshot, t: RuleThresholds): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const sc of s.schedules) {
    if (sc.dueTickMs === undefined || sc.lastTickMs === undefined) continue;
    if (sc.lastTickMs >= sc.dueTickMs) continue;
    const lagSeconds = (s.nowMs - sc.dueTickMs) / 1000;
    if (lagSeconds <= t.scheduleLagSeconds) continue;
    out.push({
      rule: 'schedule_lag',
      labels: { schedule: sc.name },
      severity: 'warning',
      group: sc.name,
      summary: `Schedule ${sc.name} is ${ago(lagSeconds * 1000)} behind: tick ${iso(sc.dueTickMs)} not evaluated (is the scheduler running?)`,
      details: {
        lagSeconds: Math.round(lagSeconds),
        dueTick: iso(sc.dueTickMs),
        lastTick: iso(sc.lastTickMs),
      },
    });
  }
  return out;
}

/** What an attempt exceeded of its budget, in words; empty when within it. */
export function budgetOverruns(a: AlertSnapshot['attempts'][number], cpuMargin: number): string[] {
  const b = a.budget;
  const over: string[] = [];
  if (a.exitReason === 'OOM') over.push('killed for memory (OOM)');
  if (a.exitReason === 'TIMEOUT') over.push('killed at its timeout');
  if (b.memoryBytes !== undefined && a.peakRssBytes > b.memoryBytes)
    over.push(
      `peak memory ${(a.peakRssBytes / MIB).toFixed(0)} MiB > ${(b.memoryBytes / MIB).toFixed(0)} MiB`,
    );
  if (b.cpuSeconds !== undefined && a.cpuSeconds > b.cpuSeconds)
    over.push(`CPU ${a.cpuSeconds.toFixed(1)} s > ${b.cpuSeconds} s`);
  if (b.wallSeconds !== undefined && a.wallSeconds > b.wallSeconds)
    over.push(`wall time ${a.wallSeconds.toFixed(1)} s > ${b.wallSeconds} s`);
  if (
    b.cpus !== undefined &&
    a.wallSeconds >= 1 &&
    a.cpuSeconds > b.cpus * a.wallSeconds * cpuMargin
  )
    over.push(`used ${(a.cpuSeconds / a.wallSeconds).toFixed(2)} CPUs > ${b.cpus} requested`);
  return over;
}

/** resource_budget: the latest attempt of an asset went over its resource budget. */
export function resourceBudgetRule(s: AlertSnapshot, t: RuleThresholds): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const a of s.attempts) {
    const over = budgetOverruns(a, t.cpuMargin);
    if (over.length === 0) continue;
    out.push({
      rule: 'resource_budget',
      labels: { asset: a.asset },
      severity: 'warning',
      group: a.asset,
      summary: `Attempt ${a.attemptId} of ${a.asset}${a.partition ? ` (${a.partition})` : ''} went over its budget: ${over.join('; ')}`,
      details: {
        attemptId: a.attemptId,
        runId: a.runId,
        partition: a.partition,
        exitReason: a.exitReason,
        wallSeconds: a.wallSeconds,
        cpuSeconds: a.cpuSeconds,
        peakRssBytes: a.peakRssBytes,
        budget: a.budget,
        finishedAt: iso(a.finishedAtMs),
      },
    });
  }
  return out;
}

/** quarantine_rows: a dataset quarantined more rows than the threshold within the window. */
export function quarantineRule(s: AlertSnapshot, t: RuleThresholds): AlertCandidate[] {
  return s.quarantine
    .filter((q) => q.rows > t.quarantineRows)
    .map((q) => ({
      rule: 'quarantine_rows',
      labels: { dataset: q.dataset },
      severity: 'warning',
      group: q.dataset,
      summary: `Dataset ${q.dataset} quarantined ${q.rows} row(s) in the last ${ago(t.quarantineWindowMs)} (threshold ${t.quarantineRows}); see marketlake quarantine --dataset ${q.dataset}`,
      details: { rows: q.rows, threshold: t.quarantineRows, windowMs: t.quarantineWindowMs },
    }));
}

/** Every built-in rule's conditions at the snapshot's time. */
export function evaluateRules(s: AlertSnapshot, t: RuleThresholds): AlertCandidate[] {
  return [
    ...runFailedRule(s, t),
    ...assetStaleRule(s),
    ...checkFailedRule(s),
    ...workerLostRule(s, t),
    ...scheduleLagRule(s, t),
    ...resourceBudgetRule(s, t),
    ...quarantineRule(s, t),
  ];
}
