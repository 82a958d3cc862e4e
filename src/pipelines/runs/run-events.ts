/** The state-change history of runs and attempts: one row per transition, with its time. */
import type { Kysely } from 'kysely';
import type { MetaDatabase } from '../../meta/index.js';
import { chunks, isoTime } from './run-ids.js';

/** A state change to record. */
export interface RunEventInput {
  readonly entity: 'run' | 'attempt';
  readonly runId: string;
  readonly attemptId?: string | null;
  readonly taskIndex?: number | null;
  /** Previous state; null when the run or attempt was created. */
  readonly from: string | null;
  readonly to: string;
  readonly message?: string | null;
}

/** A recorded state change. */
export interface RunEvent {
  readonly id: number;
  readonly entity: 'run' | 'attempt';
  readonly runId: string;
  readonly attemptId: string | null;
  readonly taskIndex: number | null;
  readonly from: string | null;
  readonly to: string;
  /** ISO-8601 UTC with milliseconds. */
  readonly at: string;
  readonly message: string | null;
}

/** Inserts `events`, all stamped `now`. */
export async function recordEvents(
  trx: Kysely<MetaDatabase>,
  events: readonly RunEventInput[],
  now: number,
): Promise<void> {
  const at = isoTime(now);
  for (const batch of chunks(events, 1000)) {
    await trx
      .insertInto('run_events')
      .values(
        batch.map((e) => ({
          run_id: e.runId,
          entity: e.entity,
          attempt_id: e.attemptId ?? null,
          task_index: e.taskIndex ?? null,
          from_state: e.from,
          to_state: e.to,
          at,
          message: e.message ?? null,
        })),
      )
      .execute();
  }
}

/** Every state change of run `runId`, oldest first. */
export async function listRunEvents(db: Kysely<MetaDatabase>, runId: string): Promise<RunEvent[]> {
  const rows = await db
    .selectFrom('run_events')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    entity: r.entity as 'run' | 'attempt',
    runId: r.run_id,
    attemptId: r.attempt_id,
    taskIndex: r.task_index,
    from: r.from_state,
    to: r.to_state,
    at: r.at,
    message: r.message,
  }));
}
