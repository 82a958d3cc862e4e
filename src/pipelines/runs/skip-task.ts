/** Skipping a task that has not started (nothing to do for it); its downstream tasks are skipped too. */
import { PipelinesInvalidTransitionError, PipelinesRunArgumentInvalidError } from '../errors.js';
import { lockRun, type TxContext } from './run-context.js';
import { recordEvents } from './run-events.js';
import { isoTime } from './run-ids.js';
import { assertTransition, type RunState } from './run-states.js';
import { settleRun } from './propagation.js';
import { finishTask } from './task-transitions.js';

/** Skips task `taskIndex` of run `runId`, which must be waiting or queued. */
export async function skipTask(
  ctx: TxContext,
  runId: string,
  taskIndex: number,
  reason: string | null,
): Promise<RunState> {
  const run = await lockRun(ctx, runId);
  const task = await ctx.trx
    .selectFrom('run_tasks')
    .selectAll()
    .where('run_id', '=', runId)
    .where('task_index', '=', taskIndex)
    .executeTakeFirst();
  if (!task) {
    throw new PipelinesRunArgumentInvalidError(`Run ${runId} has no task ${taskIndex}.`, {
      details: { runId, taskIndex },
    });
  }
  const attempt = await ctx.trx
    .selectFrom('attempts')
    .select(['id', 'state'])
    .where('id', '=', task.current_attempt_id)
    .executeTakeFirstOrThrow();
  // A running task is skipped by its worker (`complete` with skipped), never from outside.
  if (task.state === 'running') {
    throw new PipelinesInvalidTransitionError(
      `Cannot move task ${runId}/${taskIndex} from running to skipped here: only the worker running it can skip it.`,
      { details: { entity: 'task', id: `${runId}/${taskIndex}`, from: 'running', to: 'skipped' } },
    );
  }
  assertTransition('task', `${runId}/${taskIndex}`, task.state, 'skipped');
  assertTransition('attempt', attempt.id, attempt.state, 'skipped');
  await ctx.trx
    .updateTable('attempts')
    .set({
      state: 'skipped',
      finished_at: isoTime(ctx.now),
      exit_reason: 'SKIPPED',
      error_message: reason,
    })
    .where('id', '=', attempt.id)
    .execute();
  recordEvents(ctx, [
    {
      entity: 'attempt',
      runId,
      attemptId: attempt.id,
      taskIndex,
      from: attempt.state,
      to: 'skipped',
      message: reason,
    },
  ]);
  await finishTask(ctx, task, 'skipped');
  return settleRun(ctx, run, [{ index: taskIndex, state: 'skipped' }]);
}
