/**
 * Task and run transitions under the run lock: moving a run, finishing a task (with its partition
 * status), and re-queuing a task with a new attempt.
 */
import type { Selectable } from 'kysely';
import { preparedQuery, type QueryTarget, type RunTasksTable } from '../../meta/index.js';
import type { RunRow, TxContext } from './run-context.js';
import { recordEvents } from './run-events.js';
import { isoTime, sortableId } from './run-ids.js';
import { upsertPartitionStatus } from './partition-status.js';
import {
  assertTransition,
  SATISFIED_TASK_STATES,
  type RunState,
  type TaskState,
} from './run-states.js';

/** A row of `run_tasks`. */
export type TaskRow = Selectable<RunTasksTable>;

/** Moves run `run` to `to`, stamping start or finish times and recording the event. */
export async function setRunState(
  ctx: TxContext,
  run: Pick<RunRow, 'id' | 'state'>,
  to: RunState,
  message: string | null = null,
): Promise<void> {
  assertTransition('run', run.id, run.state, to);
  const at = isoTime(ctx.now);
  await ctx.trx
    .updateTable('runs')
    .set({
      state: to,
      ...(to === 'running' ? { started_at: at } : { finished_at: at }),
      ...(to === 'failed' || to === 'canceled' ? { error: message } : {}),
    })
    .where('id', '=', run.id)
    .execute();
  recordEvents(ctx, [{ entity: 'run', runId: run.id, from: run.state, to, message }]);
}

/** Moves tasks `indexes` of run `runId` to `state` at `at` (the caller checked the transitions). */
export const setTaskStates = preparedQuery(
  (target: QueryTarget, runId: string, indexes: readonly number[], state: string, at: string) =>
    target.trx
      .updateTable('run_tasks')
      .set({ state, updated_at: at })
      .where('run_id', '=', runId)
      .where('task_index', 'in', indexes),
);

/** Adds to the run's counters of ended tasks (the caller holds the run lock). */
export async function countFinished(
  ctx: TxContext,
  runId: string,
  finished: number,
  unsuccessful: number,
): Promise<void> {
  if (finished === 0) return;
  await ctx.trx
    .updateTable('runs')
    .set((eb) => ({
      tasks_finished: eb('tasks_finished', '+', finished),
      tasks_unsuccessful: eb('tasks_unsuccessful', '+', unsuccessful),
    }))
    .where('id', '=', runId)
    .execute();
}

/** Records that `task` reached terminal state `to` (its attempt is updated by the caller). */
export async function finishTask(ctx: TxContext, task: TaskRow, to: TaskState): Promise<void> {
  assertTransition('task', `${task.run_id}/${task.task_index}`, task.state, to);
  await ctx.trx
    .updateTable('run_tasks')
    .set({ state: to, updated_at: isoTime(ctx.now) })
    .where('run_id', '=', task.run_id)
    .where('task_index', '=', task.task_index)
    .execute();
  const unsuccessful = SATISFIED_TASK_STATES.includes(to) ? 0 : 1;
  await countFinished(ctx, task.run_id, 1, unsuccessful);
  if (task.partition_index !== null && (to === 'succeeded' || to === 'failed')) {
    const index = Number(task.partition_index);
    await upsertPartitionStatus(
      ctx.trx,
      task.asset,
      [{ index, state: to, runId: task.run_id }],
      ctx.now,
    );
  }
}

/**
 * Creates attempt number `attempt_count + 1` of a running task, claimable from `notBeforeMs`,
 * and queues the task again; `counted` says which budget the ended attempt used up.
 */
export async function requeueTask(
  ctx: TxContext,
  task: TaskRow,
  notBeforeMs: number,
  counted: 'failed' | 'lost',
  message: string,
): Promise<{ attemptId: string; attempt: number }> {
  assertTransition('task', `${task.run_id}/${task.task_index}`, task.state, 'queued');
  const attemptId = sortableId('a', ctx.now);
  const attempt = task.attempt_count + 1;
  const at = isoTime(ctx.now);
  await ctx.trx
    .insertInto('attempts')
    .values({
      id: attemptId,
      run_id: task.run_id,
      task_index: task.task_index,
      asset: task.asset,
      partition_key: task.partition_key,
      attempt,
      state: 'queued',
      priority: task.priority,
      pool: task.pool,
      not_before_ms: Math.max(notBeforeMs, ctx.now),
      enqueued_at: at,
    })
    .execute();
  await ctx.trx
    .updateTable('run_tasks')
    .set((eb) => ({
      state: 'queued',
      attempt_count: attempt,
      current_attempt_id: attemptId,
      updated_at: at,
      ...(counted === 'failed'
        ? { failed_count: eb('failed_count', '+', 1) }
        : { lost_count: eb('lost_count', '+', 1) }),
    }))
    .where('run_id', '=', task.run_id)
    .where('task_index', '=', task.task_index)
    .execute();
  recordEvents(ctx, [
    {
      entity: 'attempt',
      runId: task.run_id,
      attemptId,
      taskIndex: task.task_index,
      from: null,
      to: 'queued',
      message,
    },
  ]);
  return { attemptId, attempt };
}
