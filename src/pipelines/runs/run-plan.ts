/**
 * Run plans: what `createRun` takes (tasks with dependencies, pools, priorities and retry
 * policies), their defaults and their validation, so a bad plan fails before anything is stored.
 */
import { PipelinesRunPlanInvalidError } from '../errors.js';
import {
  DEFAULT_RETRY_POLICY,
  retryPolicy,
  type RetryOptions,
  type RetryPolicy,
} from '../sdk/index.js';

/** Why a run exists. */
export const RUN_KINDS = ['manual', 'schedule', 'backfill', 'retry', 'sensor'] as const;
/** Why a run exists. */
export type RunKind = (typeof RUN_KINDS)[number];

/**
 * Default priority of each kind of run: live (scheduled, sensor-triggered) runs first, then runs a
 * person asked for, then backfills, which must never delay today's data.
 */
export const DEFAULT_RUN_PRIORITY: Readonly<Record<RunKind, number>> = Object.freeze({
  schedule: 200,
  sensor: 200,
  manual: 100,
  retry: 100,
  backfill: 0,
});

/** One task of a plan: an asset (and partition) to materialize once its upstream tasks succeed. */
export interface TaskPlan {
  /** Asset name. */
  asset: string;
  /** Partition key, or null/undefined for an unpartitioned asset. */
  partition?: string | null;
  /** Stable index of the partition in the asset's key space; when given, partition status is kept. */
  partitionIndex?: number | null;
  /** Indexes (into the plan's task list) of the tasks this one waits for. */
  deps?: readonly number[];
  /** Concurrency pool. */
  pool?: string | null;
  /** Claim priority (higher first); default the run's priority. */
  priority?: number;
  /** Attempts in total; default the retry policy's `maxAttempts`. */
  maxAttempts?: number;
  /** Retry policy (defaults applied as the SDK does). */
  retry?: RetryOptions;
}

/** What `createRun` takes. */
export interface RunPlan {
  /** Why the run exists (default manual). */
  kind?: RunKind;
  /** The tasks, in any order that makes `deps` point at existing entries. */
  tasks: readonly TaskPlan[];
  /** Job or schedule name. */
  job?: string | null;
  /** What was selected, as the submitter describes it (stored as JSON; default the assets). */
  selection?: unknown;
  /** Run priority; default by kind (`DEFAULT_RUN_PRIORITY`). */
  priority?: number;
  /** Labels. */
  tags?: Readonly<Record<string, string>>;
  /** Backfill the run belongs to. */
  backfillId?: string | null;
  /** Run this one retries. */
  parentRunId?: string | null;
}

/** A task after validation, with every default applied. */
export interface NormalizedTask {
  readonly asset: string;
  readonly partition: string | null;
  readonly partitionIndex: number | null;
  readonly deps: readonly number[];
  readonly pool: string | null;
  readonly priority: number;
  readonly maxAttempts: number;
  readonly retry: RetryPolicy;
}

/** A plan after validation, with every default applied. */
export interface NormalizedPlan {
  readonly kind: RunKind;
  readonly job: string | null;
  readonly selectionJson: string;
  readonly priority: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly backfillId: string | null;
  readonly parentRunId: string | null;
  readonly tasks: readonly NormalizedTask[];
}

function bad(message: string, details: Record<string, unknown> = {}): never {
  throw new PipelinesRunPlanInvalidError(message, { details });
}

function normalizeTask(
  task: TaskPlan,
  i: number,
  count: number,
  runPriority: number,
): NormalizedTask {
  const where = `Task ${i}`;
  if (typeof task.asset !== 'string' || task.asset === '') {
    bad(`${where} has no asset name. Give each task { asset: 'name' }.`, { task: i });
  }
  const partition = task.partition ?? null;
  if (partition !== null && typeof partition !== 'string') {
    bad(`${where} (${task.asset}) has a partition that is not a string.`, { task: i });
  }
  const partitionIndex = task.partitionIndex ?? null;
  if (partitionIndex !== null && (!Number.isSafeInteger(partitionIndex) || partitionIndex < 0)) {
    bad(
      `${where} (${task.asset}) has partitionIndex ${String(partitionIndex)}; use a whole number >= 0.`,
      { task: i },
    );
  }
  const deps = [...new Set(task.deps ?? [])];
  for (const d of deps) {
    if (!Number.isSafeInteger(d) || d < 0 || d >= count || d === i) {
      bad(
        `${where} (${task.asset}) depends on task ${String(d)}, which is not another task of the plan (0..${count - 1}).`,
        { task: i, dep: d },
      );
    }
  }
  const priority = task.priority ?? runPriority;
  if (!Number.isSafeInteger(priority))
    bad(`${where} (${task.asset}) has a priority that is not a whole number.`, { task: i });
  let retry: RetryPolicy;
  try {
    retry =
      task.retry === undefined
        ? DEFAULT_RETRY_POLICY
        : retryPolicy(task.retry, `task ${i} (${task.asset})`);
  } catch (err) {
    throw new PipelinesRunPlanInvalidError(
      `${where} (${task.asset}) has an invalid retry policy: ${(err as Error).message}`,
      { cause: err, details: { task: i } },
    );
  }
  const maxAttempts = task.maxAttempts ?? retry.maxAttempts;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    bad(
      `${where} (${task.asset}) has maxAttempts ${String(maxAttempts)}; use a whole number from 1 to 100.`,
      { task: i },
    );
  }
  const pool = task.pool ?? null;
  if (pool !== null && (typeof pool !== 'string' || pool === ''))
    bad(`${where} (${task.asset}) has an empty pool name.`, { task: i });
  return {
    asset: task.asset,
    partition,
    partitionIndex,
    deps,
    pool,
    priority,
    maxAttempts,
    retry: { ...retry, maxAttempts },
  };
}

/** Throws when the dependencies form a cycle (Kahn's algorithm leaves tasks unvisited). */
function checkAcyclic(tasks: readonly NormalizedTask[]): void {
  const indegree = tasks.map((t) => t.deps.length);
  const downstream: number[][] = tasks.map(() => []);
  tasks.forEach((t, i) => t.deps.forEach((d) => downstream[d]?.push(i)));
  const ready = indegree.flatMap((n, i) => (n === 0 ? [i] : []));
  let visited = 0;
  while (ready.length > 0) {
    const i = ready.pop() as number;
    visited += 1;
    for (const j of downstream[i] ?? []) {
      indegree[j] = (indegree[j] ?? 0) - 1;
      if (indegree[j] === 0) ready.push(j);
    }
  }
  if (visited < tasks.length) {
    const stuck = indegree.flatMap((n, i) => (n > 0 ? [i] : []));
    bad(
      `The plan's task dependencies form a cycle among tasks ${stuck.slice(0, 10).join(', ')}. Remove one dependency.`,
      { tasks: stuck.slice(0, 100) },
    );
  }
}

/** Validates `plan` and applies defaults. */
export function normalizePlan(plan: RunPlan): NormalizedPlan {
  const kind = plan.kind ?? 'manual';
  if (!RUN_KINDS.includes(kind))
    bad(`Unknown run kind ${JSON.stringify(kind)}; use one of ${RUN_KINDS.join(', ')}.`, { kind });
  // Checked on a copy of the reference: Array.isArray would narrow plan.tasks to any[].
  const given: unknown = plan.tasks;
  if (!Array.isArray(given) || given.length === 0) bad('A run needs at least one task.');
  const priority = plan.priority ?? DEFAULT_RUN_PRIORITY[kind];
  if (!Number.isSafeInteger(priority))
    bad(`Run priority ${String(priority)} is not a whole number.`);
  const tasks = plan.tasks.map((t, i) => normalizeTask(t, i, plan.tasks.length, priority));
  checkAcyclic(tasks);
  const selection = plan.selection ?? { assets: [...new Set(tasks.map((t) => t.asset))] };
  return {
    kind,
    job: plan.job ?? null,
    selectionJson: JSON.stringify(selection),
    priority,
    tags: { ...(plan.tags ?? {}) },
    backfillId: plan.backfillId ?? null,
    parentRunId: plan.parentRunId ?? null,
    tasks,
  };
}
