/**
 * Dependency propagation under the run lock: when tasks end, what waited on them is queued,
 * upstream_failed or skipped, and the run finishes once its last task has ended.
 */
import { settleBackfill } from './backfills.js';
import type { RunRow, TxContext } from './run-context.js';
import { recordEvents, type RunEventInput } from './run-events.js';
import { chunks, isoTime } from './run-ids.js';
import {
  assertTransition,
  BLOCKING_TASK_STATES,
  SATISFIED_TASK_STATES,
  type RunState,
  type TaskState,
} from './run-states.js';
import { countFinished, setRunState } from './task-transitions.js';

/** A task that just ended, in the state it ended in. */
export interface EndedTask {
  readonly index: number;
  readonly state: TaskState;
}

/** A waiting task downstream of some ended tasks, with how many edges lead to it from them. */
interface Waiting {
  readonly index: number;
  readonly attemptId: string;
  readonly edges: number;
}

async function waitingDownstreamOf(
  ctx: TxContext,
  runId: string,
  upstream: readonly number[],
): Promise<Waiting[]> {
  // Two indexed lookups rather than one join: SQLite would otherwise scan the run's tasks by
  // state for every finished task (a fan-out of 10,000 made that quadratic).
  const edges = new Map<number, number>();
  for (const batch of chunks(upstream, 500)) {
    const rows = await ctx.trx
      .selectFrom('task_deps')
      .select(['task_index', (eb) => eb.fn.countAll<number>().as('n')])
      .where('run_id', '=', runId)
      .where('upstream_index', 'in', batch)
      .groupBy('task_index')
      .execute();
    for (const r of rows) edges.set(r.task_index, (edges.get(r.task_index) ?? 0) + Number(r.n));
  }
  const found = new Map<number, Waiting>();
  for (const batch of chunks([...edges.keys()], 500)) {
    const rows = await ctx.trx
      .selectFrom('run_tasks')
      .select(['task_index', 'current_attempt_id'])
      .where('run_id', '=', runId)
      .where('task_index', 'in', batch)
      .where('state', '=', 'waiting')
      .execute();
    for (const r of rows)
      found.set(r.task_index, {
        index: r.task_index,
        attemptId: r.current_attempt_id,
        edges: edges.get(r.task_index) ?? 0,
      });
  }
  return [...found.values()];
}

/**
 * Counts satisfied upstream edges into each waiting task's counters: `pending` lowers
 * upstream_pending, `skipped` raises upstream_skipped. Counters make a join of n upstream tasks
 * cost O(1) per upstream completion instead of re-reading all n upstream states each time.
 */
async function countEdges(
  ctx: TxContext,
  runId: string,
  tasks: readonly Waiting[],
  counter: 'pending' | 'skipped',
): Promise<void> {
  const byEdges = new Map<number, number[]>();
  for (const t of tasks) byEdges.set(t.edges, [...(byEdges.get(t.edges) ?? []), t.index]);
  for (const [edges, indexes] of byEdges) {
    for (const batch of chunks(indexes, 500)) {
      await ctx.trx
        .updateTable('run_tasks')
        .set((eb) =>
          counter === 'pending'
            ? { upstream_pending: eb('upstream_pending', '-', edges) }
            : { upstream_skipped: eb('upstream_skipped', '+', edges) },
        )
        .where('run_id', '=', runId)
        .where('state', '=', 'waiting')
        .where('task_index', 'in', batch)
        .execute();
    }
  }
}

/** Which of the waiting `tasks` have no pending upstream task left, and whether any was skipped. */
async function readyAmong(
  ctx: TxContext,
  runId: string,
  tasks: readonly Waiting[],
): Promise<{ queue: Waiting[]; skip: Waiting[] }> {
  const queue: Waiting[] = [];
  const skip: Waiting[] = [];
  for (const batch of chunks(tasks, 500)) {
    const byIndex = new Map(batch.map((t) => [t.index, t]));
    const rows = await ctx.trx
      .selectFrom('run_tasks')
      .select(['task_index', 'upstream_skipped'])
      .where('run_id', '=', runId)
      .where('state', '=', 'waiting')
      .where('upstream_pending', '<=', 0)
      .where('task_index', 'in', [...byIndex.keys()])
      .execute();
    for (const r of rows) {
      const t = byIndex.get(r.task_index) as Waiting;
      (r.upstream_skipped > 0 ? skip : queue).push(t);
    }
  }
  return { queue, skip };
}

/** Moves waiting tasks (and their waiting attempts) to `to`. */
async function releaseWaiting(
  ctx: TxContext,
  runId: string,
  tasks: readonly Waiting[],
  to: TaskState,
): Promise<void> {
  if (tasks.length === 0) return;
  const at = isoTime(ctx.now);
  const events: RunEventInput[] = [];
  for (const batch of chunks(tasks, 500)) {
    for (const t of batch) assertTransition('task', `${runId}/${t.index}`, 'waiting', to);
    await ctx.trx
      .updateTable('run_tasks')
      .set({ state: to, updated_at: at })
      .where('run_id', '=', runId)
      .where(
        'task_index',
        'in',
        batch.map((t) => t.index),
      )
      .execute();
    await ctx.trx
      .updateTable('attempts')
      .set(
        to === 'queued'
          ? { state: to, enqueued_at: at, not_before_ms: ctx.now }
          : { state: to, finished_at: at },
      )
      .where(
        'id',
        'in',
        batch.map((t) => t.attemptId),
      )
      .execute();
    for (const t of batch) {
      events.push({
        entity: 'attempt',
        runId,
        attemptId: t.attemptId,
        taskIndex: t.index,
        from: 'waiting',
        to,
      });
    }
  }
  await recordEvents(ctx.trx, events, ctx.now);
  if (to !== 'queued')
    await countFinished(ctx, runId, tasks.length, to === 'skipped' ? 0 : tasks.length);
}

/**
 * Releases what waited on the tasks that just ended: a task with a failed, upstream_failed or
 * canceled upstream task becomes upstream_failed at once; a task whose upstream tasks all
 * succeeded is queued, or skipped when one of them was skipped. Both end states propagate on.
 * Returns how many tasks were queued.
 */
export async function propagate(
  ctx: TxContext,
  runId: string,
  ended: readonly EndedTask[],
): Promise<number> {
  let queued = 0;
  let frontier = ended;
  while (frontier.length > 0) {
    const next: EndedTask[] = [];
    const blocking = frontier.filter((e) => BLOCKING_TASK_STATES.includes(e.state));
    if (blocking.length > 0) {
      const blocked = await waitingDownstreamOf(
        ctx,
        runId,
        blocking.map((e) => e.index),
      );
      await releaseWaiting(ctx, runId, blocked, 'upstream_failed');
      next.push(...blocked.map((w) => ({ index: w.index, state: 'upstream_failed' as const })));
    }
    const satisfied = frontier.filter((e) => SATISFIED_TASK_STATES.includes(e.state));
    if (satisfied.length > 0) {
      const waiting = await waitingDownstreamOf(
        ctx,
        runId,
        satisfied.map((e) => e.index),
      );
      await countEdges(ctx, runId, waiting, 'pending');
      const skipped = satisfied.filter((e) => e.state === 'skipped').map((e) => e.index);
      if (skipped.length > 0) {
        await countEdges(ctx, runId, await waitingDownstreamOf(ctx, runId, skipped), 'skipped');
      }
      const { queue, skip } = await readyAmong(ctx, runId, waiting);
      await releaseWaiting(ctx, runId, queue, 'queued');
      queued += queue.length;
      await releaseWaiting(ctx, runId, skip, 'skipped');
      next.push(...skip.map((w) => ({ index: w.index, state: 'skipped' as const })));
    }
    frontier = next;
  }
  return queued;
}

/**
 * Finishes run `runId` when its last task has ended: succeeded unless a task did not succeed.
 * `current` is the run's row as it is now in this transaction, when the caller has it.
 */
export async function finishRunIfDone(
  ctx: TxContext,
  runId: string,
  current?: RunRow,
): Promise<RunState> {
  const run =
    current ??
    (await ctx.trx
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirstOrThrow());
  const state = run.state as RunState;
  if ((state !== 'queued' && state !== 'running') || run.tasks_finished < run.tasks_total)
    return state;
  if (state === 'queued') await setRunState(ctx, run, 'running');
  const to: RunState = run.tasks_unsuccessful > 0 ? 'failed' : 'succeeded';
  const message =
    to === 'failed'
      ? `${run.tasks_unsuccessful} of ${run.tasks_total} task(s) did not succeed.`
      : null;
  await setRunState(ctx, { id: run.id, state: 'running' }, to, message);
  if (run.backfill_id !== null) await settleBackfill(ctx, run.backfill_id);
  return to;
}

/** After tasks `ended` ended: releases what waited on them and finishes the run when done. */
export async function settleRun(
  ctx: TxContext,
  run: RunRow,
  ended: readonly EndedTask[],
): Promise<RunState> {
  // A canceled run already canceled everything that waited; late reports change nothing else.
  if (run.state !== 'queued' && run.state !== 'running') return run.state as RunState;
  await propagate(ctx, run.id, ended);
  return finishRunIfDone(ctx, run.id);
}
