/** Re-running a finished run, or only its failed part, as a new run linked to the old one. */
import { PipelinesNothingToRetryError, PipelinesRunNotFinishedError } from '../errors.js';
import type { RetryPolicy } from '../sdk/index.js';
import { insertRun, type CreatedRun } from './insert-run.js';
import { lockRun, parseTags, type TxContext } from './run-context.js';
import { normalizePlan, type TaskPlan } from './run-plan.js';
import { isTerminal, type TaskState } from './run-states.js';

/** Options of `retryRun`. */
export interface RetryRunOptions {
  /** Only tasks that failed, were upstream_failed or canceled (default true); else every task. */
  failedOnly?: boolean;
}

const RETRIED: readonly TaskState[] = ['failed', 'upstream_failed', 'canceled'];

/**
 * Creates a `retry` run of `runId` holding the selected tasks. Dependencies between selected
 * tasks are kept; dependencies on tasks that are not re-run (they succeeded) are dropped.
 */
export async function retryRun(
  ctx: TxContext,
  runId: string,
  options: RetryRunOptions,
): Promise<CreatedRun> {
  const run = await lockRun(ctx, runId);
  if (!isTerminal('run', run.state)) {
    throw new PipelinesRunNotFinishedError(
      `Run ${runId} is ${run.state}; only a finished run can be retried. Wait for it, or cancel it first.`,
      { details: { runId, state: run.state } },
    );
  }
  const failedOnly = options.failedOnly ?? true;
  const tasks = await ctx.trx
    .selectFrom('run_tasks')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('task_index')
    .execute();
  const selected = tasks.filter((t) => !failedOnly || RETRIED.includes(t.state as TaskState));
  if (selected.length === 0) {
    throw new PipelinesNothingToRetryError(
      `Run ${runId} has no failed, upstream-failed or canceled task to retry. Use failedOnly: false (\`--all\`) to re-run every task.`,
      { details: { runId } },
    );
  }
  const newIndex = new Map(selected.map((t, i) => [t.task_index, i]));
  const deps = await ctx.trx
    .selectFrom('task_deps')
    .select(['task_index', 'upstream_index'])
    .where('run_id', '=', runId)
    .execute();
  const depsOf = new Map<number, number[]>();
  for (const d of deps) {
    const from = newIndex.get(d.task_index);
    const to = newIndex.get(d.upstream_index);
    if (from !== undefined && to !== undefined) depsOf.set(from, [...(depsOf.get(from) ?? []), to]);
  }
  const plan: TaskPlan[] = selected.map((t, i) => ({
    asset: t.asset,
    partition: t.partition_key,
    partitionIndex: t.partition_index === null ? null : Number(t.partition_index),
    deps: depsOf.get(i) ?? [],
    pool: t.pool,
    priority: t.priority,
    maxAttempts: t.max_attempts,
    retry: JSON.parse(t.retry_json) as RetryPolicy,
  }));
  return insertRun(
    ctx,
    normalizePlan({
      kind: 'retry',
      tasks: plan,
      job: run.job,
      selection: JSON.parse(run.selection_json) as unknown,
      priority: run.priority,
      tags: parseTags(run.tags_json),
      backfillId: run.backfill_id,
      parentRunId: run.id,
    }),
  );
}
