/**
 * A worker's report on an attempt it holds: success (or a deliberate skip) with the resource
 * figures, or failure, which retries with backoff while the task has attempts left.
 */
import type { Selectable } from 'kysely';
import type { AttemptsTable } from '../../meta/index.js';
import { PipelinesAttemptNotFoundError, PipelinesLeaseLostError } from '../errors.js';
import { isRetryableError, retryDelayMs, type RetryPolicy } from '../sdk/index.js';
import { lockRun, type RunRow, type TxContext } from './run-context.js';
import { recordEvents } from './run-events.js';
import { isoTime } from './run-ids.js';
import {
  assertTransition,
  type AttemptState,
  type RunState,
  type TaskState,
} from './run-states.js';
import { settleRun } from './propagation.js';
import { finishTask, requeueTask, type TaskRow } from './task-transitions.js';

/** Resource figures of an attempt, measured by the executor. */
export interface AttemptResources {
  /** Default: from the claim to the report. */
  wallSeconds?: number;
  cpuUserSeconds?: number;
  cpuSystemSeconds?: number;
  peakRssBytes?: number;
  rowsWritten?: number;
  bytesRead?: number;
  bytesWritten?: number;
  /** What `ctx.addMetadata` collected. */
  metadata?: Readonly<Record<string, unknown>>;
  /** How the process ended: OK, ERROR, OOM, TIMEOUT, KILLED, ... */
  exitReason?: string;
}

/** What `complete` takes. */
export interface AttemptSuccess extends AttemptResources {
  /** The task decided there was nothing to do: the attempt and task end skipped. */
  skipped?: boolean;
}

/** What `fail` takes. */
export interface AttemptFailure extends AttemptResources {
  /** Error message (with the stack, if useful). */
  message: string;
  /** Stable code of the error, when it had one. */
  code?: string;
  /** Whether another attempt may succeed (default true; NonRetryableError says false). */
  retryable?: boolean;
}

/** What became of a reported attempt. */
export interface AttemptOutcome {
  readonly attemptId: string;
  readonly state: AttemptState;
  readonly taskState: TaskState;
  readonly runState: RunState;
  /** The next attempt, when the failure is retried. */
  readonly retry?: {
    readonly attemptId: string;
    readonly attempt: number;
    readonly notBeforeMs: number;
  };
}

/** What became of one report: its outcome, or the error that refused it (a lost lease). */
export type AttemptReportResult =
  | { readonly ok: true; readonly outcome: AttemptOutcome }
  | { readonly ok: false; readonly error: unknown };

/** A row of `attempts`. */
export type AttemptRow = Selectable<AttemptsTable>;

/** The attempt `attemptId` with its run locked; throws when it does not exist. */
export async function lockAttempt(
  ctx: TxContext,
  attemptId: string,
): Promise<{ run: RunRow; attempt: AttemptRow }> {
  if (ctx.dialect === 'sqlite') {
    // One writer at a time (BEGIN IMMEDIATE): the row read first cannot change under us.
    const attempt = await ctx.trx
      .selectFrom('attempts')
      .selectAll()
      .where('id', '=', attemptId)
      .executeTakeFirst();
    if (!attempt)
      throw new PipelinesAttemptNotFoundError(`No attempt ${attemptId}.`, {
        details: { attemptId },
      });
    return { run: await lockRun(ctx, attempt.run_id), attempt };
  }
  // PostgreSQL: the run's lock first, then the attempt as it is under that lock.
  const peek = await ctx.trx
    .selectFrom('attempts')
    .select('run_id')
    .where('id', '=', attemptId)
    .executeTakeFirst();
  if (!peek) {
    throw new PipelinesAttemptNotFoundError(`No attempt ${attemptId}.`, { details: { attemptId } });
  }
  const run = await lockRun(ctx, peek.run_id);
  const attempt = await ctx.trx
    .selectFrom('attempts')
    .selectAll()
    .where('id', '=', attemptId)
    .executeTakeFirstOrThrow();
  return { run, attempt };
}

/**
 * Throws `PipelinesLeaseLostError` unless `workerId` holds a live lease on `attempt`: a worker
 * whose lease expired is a zombie even before the attempt is re-queued.
 */
export function assertHolds(
  attempt: Pick<AttemptRow, 'id' | 'asset' | 'state' | 'worker_id' | 'lease_expires_at_ms'>,
  workerId: string,
  now: number,
  to: AttemptState,
): void {
  const mine = attempt.worker_id === workerId;
  if (attempt.state === 'running' && mine && Number(attempt.lease_expires_at_ms) >= now) return;
  if ((attempt.state === 'running' || attempt.state === 'lost') && attempt.worker_id !== null) {
    const why = !mine
      ? `it is held by ${attempt.worker_id}`
      : attempt.state === 'lost'
        ? 'its lease expired and it was re-queued'
        : `its lease expired at ${isoTime(Number(attempt.lease_expires_at_ms))}`;
    throw new PipelinesLeaseLostError(
      `Worker ${workerId} no longer holds attempt ${attempt.id} (${attempt.asset}): ${why}. Its result is discarded; stop working on it.`,
      {
        details: {
          attemptId: attempt.id,
          workerId,
          holder: attempt.worker_id,
          state: attempt.state,
        },
      },
    );
  }
  assertTransition('attempt', attempt.id, attempt.state, to);
}

async function taskOf(ctx: TxContext, attempt: AttemptRow): Promise<TaskRow> {
  return ctx.trx
    .selectFrom('run_tasks')
    .selectAll()
    .where('run_id', '=', attempt.run_id)
    .where('task_index', '=', attempt.task_index)
    .executeTakeFirstOrThrow();
}

/** The columns of `attempt` that record its end in state `to` at `now`. */
export function endedAttemptColumns(
  attempt: Pick<AttemptRow, 'started_at'>,
  to: AttemptState,
  figures: AttemptResources,
  error: { message: string; code: string | null } | null,
  now: number,
) {
  const started = attempt.started_at === null ? now : Date.parse(attempt.started_at);
  return {
    state: to,
    finished_at: isoTime(now),
    exit_reason:
      figures.exitReason ??
      (to === 'succeeded' || to === 'skipped' ? 'OK' : to === 'canceled' ? 'KILLED' : 'ERROR'),
    error_message: error?.message ?? null,
    error_code: error?.code ?? null,
    wall_seconds: figures.wallSeconds ?? Math.max(0, now - started) / 1000,
    cpu_user_seconds: figures.cpuUserSeconds ?? null,
    cpu_system_seconds: figures.cpuSystemSeconds ?? null,
    peak_rss_bytes: figures.peakRssBytes ?? null,
    rows_written: figures.rowsWritten ?? null,
    bytes_read: figures.bytesRead ?? null,
    bytes_written: figures.bytesWritten ?? null,
    metadata_json: figures.metadata === undefined ? null : JSON.stringify(figures.metadata),
  };
}

async function endAttempt(
  ctx: TxContext,
  attempt: AttemptRow,
  to: AttemptState,
  figures: AttemptResources,
  error: { message: string; code: string | null } | null,
): Promise<void> {
  assertTransition('attempt', attempt.id, attempt.state, to);
  await ctx.trx
    .updateTable('attempts')
    .set(endedAttemptColumns(attempt, to, figures, error, ctx.now))
    .where('id', '=', attempt.id)
    .execute();
  recordEvents(ctx, [
    {
      entity: 'attempt',
      runId: attempt.run_id,
      attemptId: attempt.id,
      taskIndex: attempt.task_index,
      from: attempt.state,
      to,
      message: error?.message.slice(0, 1000) ?? null,
    },
  ]);
}

/** Records the success (or skip) of `attemptId`, reported by `workerId`. */
export async function completeAttempt(
  ctx: TxContext,
  attemptId: string,
  workerId: string,
  result: AttemptSuccess,
): Promise<AttemptOutcome> {
  const { run, attempt } = await lockAttempt(ctx, attemptId);
  const to = result.skipped === true ? 'skipped' : 'succeeded';
  assertHolds(attempt, workerId, ctx.now, to);
  await endAttempt(ctx, attempt, to, result, null);
  await finishTask(ctx, await taskOf(ctx, attempt), to);
  const runState = await settleRun(ctx, run, [{ index: attempt.task_index, state: to }]);
  return { attemptId, state: to, taskState: to, runState };
}

/**
 * Records the failure of `attemptId`. While the task has attempts left and the error is
 * retryable, a new attempt is queued after the policy's backoff; otherwise the task fails and
 * its downstream tasks become upstream_failed. In a canceled run the attempt ends canceled.
 */
export async function failAttempt(
  ctx: TxContext,
  attemptId: string,
  workerId: string,
  failure: AttemptFailure,
): Promise<AttemptOutcome> {
  const { run, attempt } = await lockAttempt(ctx, attemptId);
  const canceled = run.state === 'canceled';
  const to: AttemptState = canceled ? 'canceled' : 'failed';
  assertHolds(attempt, workerId, ctx.now, to);
  const error = { message: failure.message, code: failure.code ?? null };
  await endAttempt(ctx, attempt, to, failure, error);
  const task = await taskOf(ctx, attempt);
  if (canceled) {
    await finishTask(ctx, task, 'canceled');
    return { attemptId, state: to, taskState: 'canceled', runState: 'canceled' };
  }
  const policy = JSON.parse(task.retry_json) as RetryPolicy;
  const failures = task.failed_count + 1;
  const retryable = isRetryableError({
    code: failure.code ?? 'ERROR',
    retryable: failure.retryable ?? true,
  });
  if (retryable && failures < task.max_attempts) {
    const notBeforeMs = ctx.now + retryDelayMs(policy, failures + 1, ctx.config.random);
    const next = await requeueTask(
      ctx,
      task,
      notBeforeMs,
      'failed',
      `retry ${failures + 1} of ${task.max_attempts} after: ${failure.message.slice(0, 200)}`,
    );
    return {
      attemptId,
      state: to,
      taskState: 'queued',
      runState: run.state as RunState,
      retry: { ...next, notBeforeMs: Math.max(notBeforeMs, ctx.now) },
    };
  }
  await ctx.trx
    .updateTable('run_tasks')
    .set({ failed_count: failures })
    .where('run_id', '=', task.run_id)
    .where('task_index', '=', task.task_index)
    .execute();
  await finishTask(ctx, task, 'failed');
  const runState = await settleRun(ctx, run, [{ index: attempt.task_index, state: 'failed' }]);
  return { attemptId, state: to, taskState: 'failed', runState };
}
