/**
 * Dependency propagation under the run lock: when tasks end, what waited on them is queued,
 * upstream_failed or skipped, and the run finishes once its last task has ended.
 */
import { preparedQuery, type QueryTarget } from '../../meta/index.js';
import { PipelinesRunNotFoundError } from '../errors.js';
import { settleBackfill } from './backfills.js';
import { readRun, type RunRow, type TxContext } from './run-context.js';
import { recordEvents, type RunEventInput } from './run-events.js';
import { chunks, isoTime } from './run-ids.js';
import {
  assertTransition,
  BLOCKING_TASK_STATES,
  SATISFIED_TASK_STATES,
  type RunState,
  type TaskState,
} from './run-states.js';
import { countFinished, setRunState, setTaskStates } from './task-transitions.js';

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

const selectEdges = preparedQuery(
  (target: QueryTarget, runId: string, upstream: readonly number[]) =>
    target.trx
      .selectFrom('task_deps')
      .select(['task_index', (eb) => eb.fn.countAll<number>().as('n')])
      .where('run_id', '=', runId)
      .where('upstream_index', 'in', upstream)
      .groupBy('task_index'),
);

const selectWaiting = preparedQuery(
  (target: QueryTarget, runId: string, indexes: readonly number[]) =>
    target.trx
      .selectFrom('run_tasks')
      .select(['task_index', 'current_attempt_id'])
      .where('run_id', '=', runId)
      .where('task_index', 'in', indexes)
      .where('state', '=', 'waiting'),
);

const addSkipped = preparedQuery(
  (target: QueryTarget, runId: string, indexes: readonly number[], n: number) =>
    target.trx
      .updateTable('run_tasks')
      .set((eb) => ({ upstream_skipped: eb('upstream_skipped', '+', n) }))
      .where('run_id', '=', runId)
      .where('state', '=', 'waiting')
      .where('task_index', 'in', indexes),
);

const subtractPending = preparedQuery(
  (target: QueryTarget, runId: string, indexes: readonly number[], n: number) =>
    target.trx
      .updateTable('run_tasks')
      .set((eb) => ({ upstream_pending: eb('upstream_pending', '-', n) }))
      .where('run_id', '=', runId)
      .where('state', '=', 'waiting')
      .where('task_index', 'in', indexes)
      .returning(['task_index', 'current_attempt_id', 'upstream_pending', 'upstream_skipped']),
);

const queueAttempts = preparedQuery(
  (target: QueryTarget, ids: readonly string[], at: string, now: number) =>
    target.trx
      .updateTable('attempts')
      .set({ state: 'queued', enqueued_at: at, not_before_ms: now })
      .where('id', 'in', ids),
);

const endAttempts = preparedQuery(
  (target: QueryTarget, ids: readonly string[], state: string, at: string) =>
    target.trx.updateTable('attempts').set({ state, finished_at: at }).where('id', 'in', ids),
);

/** Edges from the `upstream` tasks to each task downstream of them, by downstream task index. */
async function edgesFrom(
  ctx: TxContext,
  runId: string,
  upstream: readonly number[],
): Promise<Map<number, number>> {
  const edges = new Map<number, number>();
  for (const batch of chunks(upstream, 500)) {
    const rows = await selectEdges(ctx, runId, batch);
    for (const r of rows) edges.set(r.task_index, (edges.get(r.task_index) ?? 0) + Number(r.n));
  }
  return edges;
}

async function waitingDownstreamOf(
  ctx: TxContext,
  runId: string,
  upstream: readonly number[],
): Promise<Waiting[]> {
  // Two indexed lookups rather than one join: SQLite would otherwise scan the run's tasks by
  // state for every finished task (a fan-out of 10,000 made that quadratic).
  const edges = await edgesFrom(ctx, runId, upstream);
  const found = new Map<number, Waiting>();
  for (const batch of chunks([...edges.keys()], 500)) {
    const rows = await selectWaiting(ctx, runId, batch);
    for (const r of rows)
      found.set(r.task_index, {
        index: r.task_index,
        attemptId: r.current_attempt_id,
        edges: edges.get(r.task_index) ?? 0,
      });
  }
  return [...found.values()];
}

/** Task indexes by how many edges lead to them (one counter update per edge count). */
function byEdgeCount(edges: ReadonlyMap<number, number>): Map<number, number[]> {
  const byEdges = new Map<number, number[]>();
  for (const [index, n] of edges) {
    const indexes = byEdges.get(n);
    if (indexes === undefined) byEdges.set(n, [index]);
    else indexes.push(index);
  }
  return byEdges;
}

/**
 * Raises upstream_skipped of the waiting tasks by the `edges` that lead to them from skipped
 * tasks. Counters make a join of n upstream tasks cost O(1) per upstream completion instead of
 * re-reading all n upstream states each time.
 */
async function countSkipped(
  ctx: TxContext,
  runId: string,
  edges: ReadonlyMap<number, number>,
): Promise<void> {
  for (const [n, indexes] of byEdgeCount(edges)) {
    for (const batch of chunks(indexes, 500)) {
      await addSkipped(ctx, runId, batch, n);
    }
  }
}

/**
 * Lowers upstream_pending of the waiting tasks by the `edges` that lead to them from satisfied
 * tasks, and returns those with no pending upstream task left: to queue, or to skip when one of
 * their upstream tasks was skipped (counted before, by `countSkipped`). The update returns what
 * it changed, so the waiting tasks and their readiness cost no statements of their own.
 */
async function countPending(
  ctx: TxContext,
  runId: string,
  edges: ReadonlyMap<number, number>,
): Promise<{ queue: Waiting[]; skip: Waiting[] }> {
  const queue: Waiting[] = [];
  const skip: Waiting[] = [];
  for (const [n, indexes] of byEdgeCount(edges)) {
    for (const batch of chunks(indexes, 500)) {
      const rows = await subtractPending(ctx, runId, batch, n);
      for (const r of rows) {
        if (r.upstream_pending > 0) continue;
        const t = { index: r.task_index, attemptId: r.current_attempt_id, edges: n };
        (r.upstream_skipped > 0 ? skip : queue).push(t);
      }
    }
  }
  // In task order, as the tasks were read before: events and claims keep their order.
  const order = (a: Waiting, b: Waiting): number => a.index - b.index;
  return { queue: queue.sort(order), skip: skip.sort(order) };
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
    await setTaskStates(
      ctx,
      runId,
      batch.map((t) => t.index),
      to,
      at,
    );
    const ids = batch.map((t) => t.attemptId);
    if (to === 'queued') await queueAttempts(ctx, ids, at, ctx.now);
    else await endAttempts(ctx, ids, to, at);
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
  recordEvents(ctx, events);
  if (to !== 'queued')
    await countFinished(ctx, runId, tasks.length, to === 'skipped' ? 0 : tasks.length);
}

/** What `propagate` did. */
export interface Propagated {
  /** Tasks queued (made ready). */
  readonly queued: number;
  /** Tasks ended (upstream_failed or skipped), which changed the run's counters. */
  readonly ended: number;
}

/**
 * Releases what waited on the tasks that just ended: a task with a failed, upstream_failed or
 * canceled upstream task becomes upstream_failed at once; a task whose upstream tasks all
 * succeeded is queued, or skipped when one of them was skipped. Both end states propagate on.
 */
export async function propagate(
  ctx: TxContext,
  runId: string,
  ended: readonly EndedTask[],
): Promise<Propagated> {
  let queued = 0;
  let released = 0;
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
      released += blocked.length;
      next.push(...blocked.map((w) => ({ index: w.index, state: 'upstream_failed' as const })));
    }
    const satisfied = frontier.filter((e) => SATISFIED_TASK_STATES.includes(e.state));
    if (satisfied.length > 0) {
      const skipped = satisfied.filter((e) => e.state === 'skipped').map((e) => e.index);
      if (skipped.length > 0) await countSkipped(ctx, runId, await edgesFrom(ctx, runId, skipped));
      const edges = await edgesFrom(
        ctx,
        runId,
        satisfied.map((e) => e.index),
      );
      const { queue, skip } = await countPending(ctx, runId, edges);
      await releaseWaiting(ctx, runId, queue, 'queued');
      queued += queue.length;
      await releaseWaiting(ctx, runId, skip, 'skipped');
      released += skip.length;
      next.push(...skip.map((w) => ({ index: w.index, state: 'skipped' as const })));
    }
    frontier = next;
  }
  return { queued, ended: released };
}

/**
 * Finishes run `runId` when its last task has ended: succeeded unless a task did not succeed.
 * `current` is the run's row as it is now in this transaction, when the caller has it.
 */
export async function finishRunIfDone(
  ctx: TxContext,
  runId: string,
  current?: Pick<
    RunRow,
    'id' | 'state' | 'backfill_id' | 'tasks_total' | 'tasks_finished' | 'tasks_unsuccessful'
  >,
): Promise<RunState> {
  const run = current ?? (await readRun(ctx, runId));
  if (run === undefined)
    throw new PipelinesRunNotFoundError(`No run ${runId}.`, { details: { runId } });
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
