/**
 * Several workers' reports recorded in one transaction. A fan-out of short attempts ends them
 * faster than one commit each can keep up with (a commit is a WAL write on SQLite, a round trip
 * and a WAL flush on PostgreSQL); the worker loop groups the reports that arrive together.
 */
import { sql } from 'kysely';
import {
  completeAttempt,
  failAttempt,
  type AttemptFailure,
  type AttemptOutcome,
  type AttemptReportResult,
  type AttemptSuccess,
} from './attempt-outcome.js';
import { completeAttempts } from './complete-attempts.js';
import { claimAttempts, type ClaimedAttempt, type ClaimOptions } from './claim-attempts.js';
import { isTransient, type TxContext } from './run-context.js';

export type { AttemptReportResult };

/** A worker's report on an attempt it holds. */
export type AttemptReportInput =
  | {
      readonly kind: 'complete';
      readonly runId: string;
      readonly attemptId: string;
      readonly workerId: string;
      readonly result: AttemptSuccess;
    }
  | {
      readonly kind: 'fail';
      readonly runId: string;
      readonly attemptId: string;
      readonly workerId: string;
      readonly failure: AttemptFailure;
    };

/**
 * How `recordReports` records a batch: `together`, each run's successes at once (see
 * complete-attempts.ts), where a database error aborts the whole transaction; or `isolated`, each
 * report in a savepoint of its own, so that an error refuses only its report (the fallback after
 * a batch failed together).
 */
export type RecordMode = 'together' | 'isolated';

/** What `recordReports` did. */
export interface RecordedReports {
  /** Each report's result, in the order given. */
  readonly results: AttemptReportResult[];
  /**
   * Whether the reports may have made tasks claimable (the next task of a chain); false when
   * they certainly did not, as with the partitions of a fan-out.
   */
  readonly readied: boolean;
}

/**
 * Records `reports` in the transaction of `ctx`; a refused report (PIPELINES_LEASE_LOST) leaves
 * the others recorded. Reports are applied in run order, so two workers' batches lock the runs
 * they share in the same order. A transient database error aborts the whole batch, which the
 * caller's transaction then retries. Failures are rare and each recorded in a savepoint. An
 * isolated lone report skips the savepoint: its refusal is thrown, ending the transaction.
 */
export async function recordReports(
  ctx: TxContext,
  reports: readonly AttemptReportInput[],
  mode: RecordMode = 'together',
): Promise<RecordedReports> {
  const record = (report: AttemptReportInput): Promise<AttemptOutcome> =>
    report.kind === 'complete'
      ? completeAttempt(ctx, report.attemptId, report.workerId, report.result)
      : failAttempt(ctx, report.attemptId, report.workerId, report.failure);
  const only = reports.length === 1 ? reports[0] : undefined;
  if (only !== undefined && (mode === 'isolated' || only.kind === 'fail')) {
    return { results: [{ ok: true, outcome: await record(only) }], readied: true };
  }
  const results = new Array<AttemptReportResult>(reports.length);
  let readied = false;
  const order = reports.map((report, i) => ({ report, i }));
  const key = (r: AttemptReportInput): string => `${r.runId}\u0000${r.attemptId}`;
  order.sort((a, b) => (key(a.report) < key(b.report) ? -1 : 1));
  const oneByOne = async (items: typeof order): Promise<void> => {
    for (const { report, i } of items) {
      readied = true;
      const done = await inSavepoint(ctx, () => record(report));
      results[i] = done.ok ? { ok: true, outcome: done.value } : done;
    }
  };
  for (const items of byRun(order)) {
    const successes = items.filter((x) => x.report.kind === 'complete');
    const together =
      mode === 'together' && successes.length > 0
        ? await completeAttempts(
            ctx,
            items[0]?.report.runId as string,
            successes.map(({ report }) => ({
              attemptId: report.attemptId,
              workerId: report.workerId,
              result: report.kind === 'complete' ? report.result : {},
            })),
          )
        : undefined;
    if (together !== undefined) {
      successes.forEach(({ i }, k) => (results[i] = together.results[k] as AttemptReportResult));
      if (together.queued > 0) readied = true;
    } else await oneByOne(successes);
    await oneByOne(items.filter((x) => x.report.kind !== 'complete'));
  }
  return { results, readied };
}

/** Consecutive items of the same run (the items are sorted by run). */
function byRun<T extends { report: AttemptReportInput }>(items: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (const item of items) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[0]?.report.runId === item.report.runId) last.push(item);
    else groups.push([item]);
  }
  return groups;
}

/**
 * Runs `fn` inside a savepoint of the transaction of `ctx`: its writes are undone when it throws,
 * and the error is returned instead of aborting the transaction. A transient database error
 * still aborts it (the transaction is retried as a whole).
 */
export async function inSavepoint<T>(
  ctx: TxContext,
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  await sql`SAVEPOINT marketlake_step`.execute(ctx.trx);
  // The events `fn` records are undone with its writes.
  const events = ctx.events.length;
  try {
    const value = await fn();
    await sql`RELEASE SAVEPOINT marketlake_step`.execute(ctx.trx);
    return { ok: true, value };
  } catch (error) {
    if (isTransient(error)) throw error;
    ctx.events.length = events;
    await sql`ROLLBACK TO SAVEPOINT marketlake_step`.execute(ctx.trx);
    await sql`RELEASE SAVEPOINT marketlake_step`.execute(ctx.trx);
    return { ok: false, error };
  }
}

/** Runs a function in a new transaction of the store. */
export type InTransaction = <T>(fn: (ctx: TxContext) => Promise<T>) => Promise<T>;

/** What `reportAndClaim` did. */
export interface ReportsAndClaims {
  readonly results: AttemptReportResult[];
  readonly claimed: ClaimedAttempt[];
  /** Why nothing was claimed, when the claim failed (the reports stand). */
  readonly claimError?: unknown;
}

/**
 * `recordReports` in a transaction of its own: together, then isolated when that failed; a
 * refused lone report is returned, not thrown.
 */
export async function reportInTransaction(
  tx: InTransaction,
  reports: readonly AttemptReportInput[],
  mode: RecordMode = 'together',
): Promise<AttemptReportResult[]> {
  if (reports.length === 0) return [];
  try {
    return (await tx((ctx) => recordReports(ctx, reports, mode))).results;
  } catch (error) {
    if (reports.length === 1) return [{ ok: false, error }];
    if (mode === 'isolated') throw error;
    return (await tx((ctx) => recordReports(ctx, reports, 'isolated'))).results;
  }
}

/**
 * Records `reports` and claims for `workerId`. When the reports made tasks ready (the next task
 * of a chain), and always on SQLite, the claim shares their transaction, so the worker takes them
 * without a second one. Otherwise it runs in a transaction of its own once the reports are committed: reports
 * hold their runs' locks until their commit, and every other worker's reports on those runs
 * (a fan-out's) queue on them, so nothing else is done while holding them. Nothing runs in a
 * savepoint (each costs two round trips): when the transaction fails, the reports are recorded
 * isolated in a transaction of their own. A failing claim claims nothing and leaves the reports
 * recorded.
 */
export async function reportAndClaim(
  tx: InTransaction,
  reports: readonly AttemptReportInput[],
  workerId: string,
  claim: Omit<ClaimOptions, 'now'>,
): Promise<ReportsAndClaims> {
  let results: AttemptReportResult[];
  try {
    const done = await tx(async (ctx) => {
      const recorded = await recordReports(ctx, reports);
      // SQLite has one writer and no row locks to hold up others: one commit is cheaper there.
      return recorded.readied || ctx.dialect === 'sqlite'
        ? { results: recorded.results, claimed: await claimAttempts(ctx, workerId, claim) }
        : { results: recorded.results, claimed: undefined };
    });
    if (done.claimed !== undefined) return { results: done.results, claimed: done.claimed };
    results = done.results;
  } catch {
    results = await reportInTransaction(tx, reports, 'isolated');
  }
  try {
    return { results, claimed: await tx((ctx) => claimAttempts(ctx, workerId, claim)) };
  } catch (claimError) {
    return { results, claimed: [], claimError };
  }
}
