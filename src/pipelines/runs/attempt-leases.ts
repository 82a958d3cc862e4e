/**
 * Leases of running attempts: heartbeats renew them, expired ones are taken back (the attempt is
 * lost and its task re-queued), and a worker's later report on a lost attempt is refused.
 */
import { sql, type Kysely } from 'kysely';
import type { MetaDatabase, MetaDialect } from '../../meta/index.js';
import { PipelinesAttemptNotFoundError } from '../errors.js';
import { assertHolds } from './attempt-outcome.js';
import { lockRun, type TxContext } from './run-context.js';
import { recordEvents } from './run-events.js';
import { isoTime } from './run-ids.js';
import { assertTransition } from './run-states.js';
import { settleRun, type EndedTask } from './propagation.js';
import { finishTask, requeueTask } from './task-transitions.js';

/** What `requeueExpired` did. */
export interface RequeueResult {
  /** Attempts whose lease had expired, now `lost`. */
  readonly lost: readonly string[];
  /** New attempts queued in their place. */
  readonly requeued: readonly string[];
  /** Attempts whose task failed instead, having lost too many attempts. */
  readonly failedTasks: readonly string[];
}

// A literal, as the partial indexes on running attempts say it: SQLite re-prepares a statement
// at every execution when a bound parameter decides whether a partial index applies.
const RUNNING = sql.lit('running');

/** Renews the leases `workerId` still holds; returns their attempt ids. */
export async function renewLeases(
  ctx: TxContext,
  workerId: string,
  leaseMs: number,
): Promise<string[]> {
  // An expired lease is not revived: the attempt may already be promised to requeueExpired.
  const rows = await ctx.trx
    .updateTable('attempts')
    .set({ lease_expires_at_ms: ctx.now + leaseMs })
    .where('worker_id', '=', workerId)
    .where('state', '=', RUNNING)
    .where('lease_expires_at_ms', '>=', ctx.now)
    .returning('id')
    .execute();
  await ctx.trx
    .updateTable('workers')
    .set({ heartbeat_at_ms: ctx.now })
    .where('id', '=', workerId)
    .execute();
  return rows.map((r) => r.id).sort();
}

/**
 * Takes back every running attempt whose lease expired before `ctx.now`: the attempt becomes
 * lost and its task gets a new attempt at once, unless the task already lost
 * `maxLostAttempts` attempts (then it fails) or its run was canceled (then it ends canceled).
 */
export async function requeueExpired(ctx: TxContext): Promise<RequeueResult> {
  const expired = await ctx.trx
    .selectFrom('attempts')
    .select(['id', 'run_id'])
    .where('state', '=', RUNNING)
    .where('lease_expires_at_ms', '<', ctx.now)
    .orderBy('run_id')
    .orderBy('id')
    .execute();
  const lost: string[] = [];
  const requeued: string[] = [];
  const failedTasks: string[] = [];
  const runIds = [...new Set(expired.map((e) => e.run_id))];
  for (const runId of runIds) {
    const run = await lockRun(ctx, runId);
    const finished: EndedTask[] = [];
    for (const { id } of expired.filter((e) => e.run_id === runId)) {
      const attempt = await ctx.trx
        .selectFrom('attempts')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      // Re-checked under the lock: a heartbeat or report may have come in meanwhile.
      if (attempt.state !== 'running' || Number(attempt.lease_expires_at_ms) >= ctx.now) continue;
      assertTransition('attempt', id, 'running', 'lost');
      const message = `worker ${attempt.worker_id ?? '?'} lost its lease (expired ${isoTime(Number(attempt.lease_expires_at_ms))})`;
      await ctx.trx
        .updateTable('attempts')
        .set({
          state: 'lost',
          finished_at: isoTime(ctx.now),
          exit_reason: 'LOST',
          error_message: message,
          error_code: 'PIPELINES_LEASE_LOST',
          wall_seconds:
            attempt.started_at === null ? null : (ctx.now - Date.parse(attempt.started_at)) / 1000,
        })
        .where('id', '=', id)
        .execute();
      recordEvents(ctx, [
        {
          entity: 'attempt',
          runId,
          attemptId: id,
          taskIndex: attempt.task_index,
          from: 'running',
          to: 'lost',
          message,
        },
      ]);
      lost.push(id);
      const task = await ctx.trx
        .selectFrom('run_tasks')
        .selectAll()
        .where('run_id', '=', runId)
        .where('task_index', '=', attempt.task_index)
        .executeTakeFirstOrThrow();
      if (run.state === 'canceled') {
        await finishTask(ctx, task, 'canceled');
      } else if (task.lost_count + 1 <= ctx.config.maxLostAttempts) {
        requeued.push(
          (await requeueTask(ctx, task, ctx.now, 'lost', `re-queued: ${message}`)).attemptId,
        );
      } else {
        await ctx.trx
          .updateTable('run_tasks')
          .set({ lost_count: task.lost_count + 1 })
          .where('run_id', '=', runId)
          .where('task_index', '=', task.task_index)
          .execute();
        await finishTask(ctx, task, 'failed');
        failedTasks.push(id);
        finished.push({ index: task.task_index, state: 'failed' });
      }
    }
    if (finished.length > 0) await settleRun(ctx, run, finished);
  }
  return { lost, requeued, failedTasks };
}

/**
 * Throws `PipelinesLeaseLostError` unless `workerId` holds a live lease on `attemptId` at `now`.
 * Call it inside the transaction that commits an attempt's output (the lake catalog shares the
 * metadata database): on PostgreSQL the attempt row stays share-locked until that commit, so the
 * lease cannot be taken back between the check and the commit.
 */
export async function checkAttemptLease(
  trx: Kysely<MetaDatabase>,
  dialect: MetaDialect,
  attemptId: string,
  workerId: string,
  now: number,
): Promise<void> {
  const attempt = await trx
    .selectFrom('attempts')
    .selectAll()
    .where('id', '=', attemptId)
    .$if(dialect === 'postgres', (qb) => qb.forShare())
    .executeTakeFirst();
  if (!attempt)
    throw new PipelinesAttemptNotFoundError(`No attempt ${attemptId}.`, { details: { attemptId } });
  assertHolds(attempt, workerId, now, 'succeeded');
}
