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
  type AttemptSuccess,
} from './attempt-outcome.js';
import { claimAttempts, type ClaimedAttempt, type ClaimOptions } from './claim-attempts.js';
import { isTransient, type TxContext } from './run-context.js';

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

/** What became of one report: its outcome, or the error that refused it (a lost lease). */
export type AttemptReportResult =
  | { readonly ok: true; readonly outcome: AttemptOutcome }
  | { readonly ok: false; readonly error: unknown };

/**
 * Records `reports` in the transaction of `ctx`, each inside a savepoint so that one refused
 * report (PIPELINES_LEASE_LOST) leaves the others recorded. Reports are applied in run order,
 * so two workers' batches lock the runs they share in the same order. A transient database
 * error aborts the whole batch, which the caller's transaction then retries. A lone report
 * skips the savepoint: its refusal is thrown, ending the transaction (see RunStore.report).
 */
export async function recordReports(
  ctx: TxContext,
  reports: readonly AttemptReportInput[],
): Promise<AttemptReportResult[]> {
  const record = (report: AttemptReportInput): Promise<AttemptOutcome> =>
    report.kind === 'complete'
      ? completeAttempt(ctx, report.attemptId, report.workerId, report.result)
      : failAttempt(ctx, report.attemptId, report.workerId, report.failure);
  // A lone report needs no savepoint: when it is refused, the whole transaction is.
  const only = reports.length === 1 ? reports[0] : undefined;
  if (only !== undefined) return [{ ok: true, outcome: await record(only) }];
  const results = new Array<AttemptReportResult>(reports.length);
  const order = reports.map((report, i) => ({ report, i }));
  const key = (r: AttemptReportInput): string => `${r.runId}\u0000${r.attemptId}`;
  order.sort((a, b) => (key(a.report) < key(b.report) ? -1 : 1));
  for (const { report, i } of order) {
    const done = await inSavepoint(ctx, () => record(report));
    results[i] = done.ok ? { ok: true, outcome: done.value } : done;
  }
  return results;
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
  try {
    const value = await fn();
    await sql`RELEASE SAVEPOINT marketlake_step`.execute(ctx.trx);
    return { ok: true, value };
  } catch (error) {
    if (isTransient(error)) throw error;
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

/** `recordReports` in a transaction of its own; a refused lone report is returned, not thrown. */
export async function reportInTransaction(
  tx: InTransaction,
  reports: readonly AttemptReportInput[],
): Promise<AttemptReportResult[]> {
  if (reports.length === 0) return [];
  try {
    return await tx((ctx) => recordReports(ctx, reports));
  } catch (error) {
    if (reports.length === 1) return [{ ok: false, error }];
    throw error;
  }
}

/**
 * Records `reports`, then claims for `workerId` in the same transaction: a worker whose attempts
 * just ended takes the attempts they made ready (the next task of a chain) without a second
 * transaction. A failing claim claims nothing and leaves the reports recorded; a refused lone
 * report leaves the claim to a transaction of its own.
 */
export async function reportAndClaim(
  tx: InTransaction,
  reports: readonly AttemptReportInput[],
  workerId: string,
  claim: Omit<ClaimOptions, 'now'>,
): Promise<ReportsAndClaims> {
  try {
    return await tx(async (ctx) => {
      const results = await recordReports(ctx, reports);
      const claimed = await inSavepoint(ctx, () => claimAttempts(ctx, workerId, claim));
      return claimed.ok
        ? { results, claimed: claimed.value }
        : { results, claimed: [], claimError: claimed.error };
    });
  } catch (error) {
    if (reports.length !== 1) throw error;
    const results = [{ ok: false as const, error }];
    try {
      return { results, claimed: await tx((ctx) => claimAttempts(ctx, workerId, claim)) };
    } catch (claimError) {
      return { results, claimed: [], claimError };
    }
  }
}
