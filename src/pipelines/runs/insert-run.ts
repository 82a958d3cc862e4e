/** Stores a validated plan: the run, its tasks, their first attempts and dependencies, at once. */
import { sql, type Insertable } from 'kysely';
import {
  preparedQuery,
  type AttemptsTable,
  type QueryTarget,
  type RunsTable,
  type RunTasksTable,
  type TaskDepsTable,
} from '../../meta/index.js';
import { openBackfillForRun } from './backfills.js';
import type { TxContext } from './run-context.js';
import { recordEvents } from './run-events.js';
import { chunks, isoTime, sortableId } from './run-ids.js';
import type { NormalizedPlan } from './run-plan.js';

/**
 * Queued attempts inserted at once from which PostgreSQL's statistics are refreshed. Until they
 * are, the planner believes few attempts are queued and plans the claim as a read and sort of the
 * whole queue instead of a walk of `attempts_queued` in order: every claim of a 10,000-task
 * fan-out then cost ~7 ms of database time, growing with the queue.
 */
export const ANALYZE_QUEUED_AT = 1000;

// Rows of a plan have every column (null where unset): the statements' shapes depend only on
// the number of rows.
const insertRuns = preparedQuery((target: QueryTarget, rows: readonly Insertable<RunsTable>[]) =>
  target.trx.insertInto('runs').values(rows),
);
const insertTasks = preparedQuery(
  (target: QueryTarget, rows: readonly Insertable<RunTasksTable>[]) =>
    target.trx.insertInto('run_tasks').values(rows),
);
const insertAttempts = preparedQuery(
  (target: QueryTarget, rows: readonly Insertable<AttemptsTable>[]) =>
    target.trx.insertInto('attempts').values(rows),
);
const insertDeps = preparedQuery(
  (target: QueryTarget, rows: readonly Insertable<TaskDepsTable>[]) =>
    target.trx.insertInto('task_deps').values(rows),
);

/** A run just created. */
export interface CreatedRun {
  readonly runId: string;
  /** First attempt of each task, in plan order. */
  readonly attemptIds: readonly string[];
}

/**
 * Inserts the run of `plan` inside the caller's transaction. Tasks without upstream tasks start
 * queued (claimable at once); the others wait for their upstream tasks.
 */
export async function insertRun(ctx: TxContext, plan: NormalizedPlan): Promise<CreatedRun> {
  const { trx, now } = ctx;
  const at = isoTime(now);
  const runId = sortableId('r', now);
  if (plan.backfillId !== null) await openBackfillForRun(ctx, plan.backfillId);
  await insertRuns(ctx, [
    {
      id: runId,
      job: plan.job,
      selection_json: plan.selectionJson,
      kind: plan.kind,
      priority: plan.priority,
      state: 'queued',
      created_at: at,
      started_at: null,
      finished_at: null,
      parent_run_id: plan.parentRunId,
      backfill_id: plan.backfillId,
      tags_json: JSON.stringify(plan.tags),
      error: null,
      tasks_total: plan.tasks.length,
      tasks_finished: 0,
      tasks_unsuccessful: 0,
    },
  ]);
  const attemptIds = plan.tasks.map(() => sortableId('a', now));
  const tasks: Insertable<RunTasksTable>[] = [];
  const attempts: Insertable<AttemptsTable>[] = [];
  plan.tasks.forEach((t, i) => {
    const state = t.deps.length === 0 ? 'queued' : 'waiting';
    const attemptId = attemptIds[i] as string;
    tasks.push({
      run_id: runId,
      task_index: i,
      asset: t.asset,
      partition_key: t.partition,
      partition_index: t.partitionIndex,
      pool: t.pool,
      priority: t.priority,
      max_attempts: t.maxAttempts,
      retry_json: JSON.stringify(t.retry),
      state,
      attempt_count: 1,
      failed_count: 0,
      lost_count: 0,
      upstream_pending: t.deps.length,
      current_attempt_id: attemptId,
      updated_at: at,
    });
    attempts.push({
      id: attemptId,
      run_id: runId,
      task_index: i,
      asset: t.asset,
      partition_key: t.partition,
      attempt: 1,
      state,
      priority: t.priority,
      pool: t.pool,
      not_before_ms: now,
      enqueued_at: state === 'queued' ? at : null,
    });
  });
  // ~15 parameters a row keeps every statement far below both backends' parameter limits.
  for (const batch of chunks(tasks, 1000)) await insertTasks(ctx, batch);
  for (const batch of chunks(attempts, 1000)) await insertAttempts(ctx, batch);
  const deps = plan.tasks.flatMap((t, i) =>
    t.deps.map((d) => ({ run_id: runId, task_index: i, upstream_index: d })),
  );
  for (const batch of chunks(deps, 3000)) await insertDeps(ctx, batch);
  const queued = plan.tasks.filter((t) => t.deps.length === 0).length;
  // In this transaction, so the statistics count its rows before any worker can claim them.
  if (ctx.dialect === 'postgres' && queued >= ANALYZE_QUEUED_AT) {
    await sql`ANALYZE attempts`.execute(trx);
  }
  recordEvents(ctx, [
    {
      entity: 'run',
      runId,
      from: null,
      to: 'queued',
      message: `${plan.kind} run of ${plan.tasks.length} task(s)`,
    },
  ]);
  return { runId, attemptIds };
}
