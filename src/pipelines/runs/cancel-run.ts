/**
 * Canceling a run: what has not started is canceled at once, and the running attempts are
 * returned so the executor can kill their processes (their late reports end them canceled).
 */
import { settleBackfill } from './backfills.js';
import { lockRun, type TxContext } from './run-context.js';
import { recordEvents } from './run-events.js';
import { chunks, isoTime } from './run-ids.js';
import { assertTransition } from './run-states.js';
import { setRunState } from './task-transitions.js';

/** What `cancelRun` did. */
export interface CancelResult {
  readonly runId: string;
  /** Attempts that were waiting or queued, now canceled. */
  readonly canceledAttemptIds: readonly string[];
  /** Attempts still running: kill their processes. */
  readonly runningAttemptIds: readonly string[];
}

/** Cancels run `runId`; throws `PipelinesInvalidTransitionError` when it already finished. */
export async function cancelRun(
  ctx: TxContext,
  runId: string,
  reason: string | null,
): Promise<CancelResult> {
  const run = await lockRun(ctx, runId);
  assertTransition('run', runId, run.state, 'canceled');
  const at = isoTime(ctx.now);
  // Locked in id order (on PostgreSQL), the order every other writer of a run's attempts uses.
  const pending = await ctx.trx
    .selectFrom('attempts')
    .select(['id', 'task_index', 'state'])
    .where('run_id', '=', runId)
    .where('state', 'in', ['waiting', 'queued'])
    .orderBy('id')
    .$if(ctx.dialect === 'postgres', (qb) => qb.forNoKeyUpdate())
    .execute();
  for (const batch of chunks(pending, 500)) {
    await ctx.trx
      .updateTable('attempts')
      .set({ state: 'canceled', finished_at: at, exit_reason: 'CANCELED' })
      .where(
        'id',
        'in',
        batch.map((a) => a.id),
      )
      .execute();
    await ctx.trx
      .updateTable('run_tasks')
      .set({ state: 'canceled', updated_at: at })
      .where('run_id', '=', runId)
      .where(
        'task_index',
        'in',
        batch.map((a) => a.task_index),
      )
      .execute();
  }
  if (pending.length > 0) {
    await ctx.trx
      .updateTable('runs')
      .set((eb) => ({
        tasks_finished: eb('tasks_finished', '+', pending.length),
        tasks_unsuccessful: eb('tasks_unsuccessful', '+', pending.length),
      }))
      .where('id', '=', runId)
      .execute();
  }
  recordEvents(
    ctx,
    pending.map((a) => ({
      entity: 'attempt' as const,
      runId,
      attemptId: a.id,
      taskIndex: a.task_index,
      from: a.state,
      to: 'canceled',
      message: 'run canceled',
    })),
  );
  const running = await ctx.trx
    .selectFrom('attempts')
    .select('id')
    .where('run_id', '=', runId)
    .where('state', '=', 'running')
    .orderBy('id')
    .execute();
  await setRunState(ctx, run, 'canceled', reason ?? 'Canceled.');
  if (run.backfill_id !== null) await settleBackfill(ctx, run.backfill_id);
  return {
    runId,
    canceledAttemptIds: pending.map((a) => a.id),
    runningAttemptIds: running.map((r) => r.id),
  };
}
