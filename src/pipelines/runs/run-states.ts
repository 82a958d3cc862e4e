/**
 * The state machines of runs, tasks, attempts and backfills. Every state change in the run store
 * goes through `assertTransition`, so an illegal move fails loudly instead of corrupting history.
 */
import { PipelinesInvalidTransitionError } from '../errors.js';

/** States of a run. */
export const RUN_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
/** A run's state. */
export type RunState = (typeof RUN_STATES)[number];

/** States of a task (one asset and partition within a run). */
export const TASK_STATES = [
  'waiting',
  'queued',
  'running',
  'succeeded',
  'failed',
  'canceled',
  'skipped',
  'upstream_failed',
] as const;
/** A task's state. */
export type TaskState = (typeof TASK_STATES)[number];

/** States of an attempt: a task's states plus `lost` (its worker's lease expired). */
export const ATTEMPT_STATES = [...TASK_STATES, 'lost'] as const;
/** An attempt's state. */
export type AttemptState = (typeof ATTEMPT_STATES)[number];

/** States of a backfill. */
export const BACKFILL_STATES = ['requested', 'running', 'succeeded', 'failed', 'canceled'] as const;
/** A backfill's state. */
export type BackfillState = (typeof BACKFILL_STATES)[number];

/** What has a state machine. */
export type StatefulEntity = 'run' | 'task' | 'attempt' | 'backfill';

const RUN: Record<RunState, readonly RunState[]> = {
  queued: ['running', 'canceled'],
  running: ['succeeded', 'failed', 'canceled'],
  succeeded: [],
  failed: [],
  canceled: [],
};

const TASK: Record<TaskState, readonly TaskState[]> = {
  waiting: ['queued', 'canceled', 'skipped', 'upstream_failed'],
  queued: ['running', 'canceled', 'skipped'],
  // running -> queued is a retry (or a re-queue after a lost worker) with a new attempt.
  running: ['queued', 'succeeded', 'failed', 'canceled', 'skipped'],
  succeeded: [],
  failed: [],
  canceled: [],
  skipped: [],
  upstream_failed: [],
};

const ATTEMPT: Record<AttemptState, readonly AttemptState[]> = {
  waiting: ['queued', 'canceled', 'skipped', 'upstream_failed'],
  queued: ['running', 'canceled', 'skipped'],
  running: ['succeeded', 'failed', 'canceled', 'skipped', 'lost'],
  succeeded: [],
  failed: [],
  canceled: [],
  skipped: [],
  upstream_failed: [],
  lost: [],
};

const BACKFILL: Record<BackfillState, readonly BackfillState[]> = {
  requested: ['running', 'canceled'],
  // failed -> running: retrying a backfill's failed runs reopens it.
  running: ['succeeded', 'failed', 'canceled'],
  failed: ['running', 'canceled'],
  succeeded: [],
  canceled: [],
};

const TABLES: Record<StatefulEntity, Record<string, readonly string[]>> = {
  run: RUN,
  task: TASK,
  attempt: ATTEMPT,
  backfill: BACKFILL,
};

/** Every state of `entity`. */
export function statesOf(entity: StatefulEntity): readonly string[] {
  return Object.keys(TABLES[entity]);
}

/** Whether `entity` may move from `from` to `to`. */
export function canTransition(entity: StatefulEntity, from: string, to: string): boolean {
  return TABLES[entity][from]?.includes(to) ?? false;
}

/** Whether `state` is final for `entity` (no transition leaves it, or only a reopening one). */
export function isTerminal(entity: StatefulEntity, state: string): boolean {
  if (entity === 'backfill') return state !== 'requested' && state !== 'running';
  return (TABLES[entity][state]?.length ?? 0) === 0;
}

/** Throws `PipelinesInvalidTransitionError` unless `entity` `id` may move from `from` to `to`. */
export function assertTransition(
  entity: StatefulEntity,
  id: string,
  from: string,
  to: string,
): void {
  if (canTransition(entity, from, to)) return;
  const allowed = TABLES[entity][from];
  const hint =
    allowed === undefined
      ? `"${from}" is not a ${entity} state.`
      : allowed.length === 0
        ? `A ${from} ${entity} is final.`
        : `From ${from} it can only become ${allowed.join(', ')}.`;
  throw new PipelinesInvalidTransitionError(
    `Cannot move ${entity} ${id} from ${from} to ${to}. ${hint}`,
    { details: { entity, id, from, to } },
  );
}

/** Task states that end a task successfully for its downstream tasks. */
export const SATISFIED_TASK_STATES: readonly TaskState[] = ['succeeded', 'skipped'];

/** Task states that make downstream tasks upstream_failed. */
export const BLOCKING_TASK_STATES: readonly TaskState[] = ['failed', 'upstream_failed', 'canceled'];
