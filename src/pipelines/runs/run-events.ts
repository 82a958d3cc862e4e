/** The state-change history of runs and attempts: one row per transition, with its time. */
import type { Insertable, Kysely } from 'kysely';
import {
  preparedQuery,
  type MetaDatabase,
  type QueryTarget,
  type RunEventsTable,
} from '../../meta/index.js';
import type { TxContext } from './run-context.js';
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

/**
 * Records `events` in the transaction of `ctx`, stamped with its instant. They are inserted, in
 * the order recorded, when the transaction's work is done (`flushEvents`): one statement for all
 * the state changes of a transaction instead of one per step (a chain's report and claim make
 * three).
 */
export function recordEvents(ctx: TxContext, events: readonly RunEventInput[]): void {
  for (const event of events) ctx.events.push(event); // a cancel can record a whole run's
}

const insertEvents = preparedQuery((target: QueryTarget, rows: readonly RunEventRow[]) =>
  target.trx.insertInto('run_events').values(rows),
);

type RunEventRow = Omit<Insertable<RunEventsTable>, 'id'>;

/** Inserts the events recorded in the transaction of `ctx` (the run store does, before commit). */
export async function flushEvents(ctx: TxContext): Promise<void> {
  if (ctx.events.length === 0) return;
  const at = isoTime(ctx.now);
  const events = ctx.events.splice(0, ctx.events.length);
  for (const batch of chunks(events, 1000)) {
    await insertEvents(
      ctx,
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
    );
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
