/**
 * Successes of one run recorded together. Every report of a run takes the run's lock and keeps
 * it until its transaction commits, so the reports of a fan-out (one run, many workers) queue
 * on that lock: recorded one by one, a dozen round trips per report were spent holding it. Here a
 * batch costs one lock, one read of its attempts and tasks, and one statement per table, and
 * refuses a report (lost lease, wrong state) by checking it before anything is written.
 */
import { sql } from 'kysely';
import { PipelinesAttemptNotFoundError } from '../errors.js';
import {
  assertHolds,
  endedAttemptColumns,
  type AttemptReportResult,
  type AttemptRow,
  type AttemptSuccess,
} from './attempt-outcome.js';
import { finishRunIfDone, propagate } from './propagation.js';
import { upsertPartitionStatus, type PartitionStatusInput } from './partition-status.js';
import { lockRun, type TxContext } from './run-context.js';
import { recordEvents } from './run-events.js';
import { isoTime } from './run-ids.js';
import { assertTransition, isTerminal, type RunState } from './run-states.js';

/** A worker's report of the success (or skip) of an attempt of the run. */
export interface SuccessReport {
  readonly attemptId: string;
  readonly workerId: string;
  readonly result: AttemptSuccess;
}

interface Read {
  readonly attempt: AttemptRow;
  readonly taskState: string;
  readonly partitionIndex: number | null;
  /** Whether a task of the run waits on this attempt's task. */
  readonly downstream: boolean;
}

interface Accepted extends Read {
  readonly at: number;
  readonly to: 'succeeded' | 'skipped';
  readonly result: AttemptSuccess;
}

/** What `completeAttempts` did. */
export interface CompletedTogether {
  /** Each report's result, in the order given. */
  readonly results: AttemptReportResult[];
  /** Tasks the successes made ready (queued), e.g. the next task of a chain. */
  readonly queued: number;
}

/**
 * Records `reports`, successes of attempts of run `runId`, in the transaction of `ctx`; each
 * result says whether its report was recorded. Returns undefined, having written nothing, when
 * the batch cannot be recorded together (an attempt of another run, one attempt or task
 * twice): the caller then records the reports one by one.
 */
export async function completeAttempts(
  ctx: TxContext,
  runId: string,
  reports: readonly SuccessReport[],
): Promise<CompletedTogether | undefined> {
  const run = await lockRun(ctx, runId);
  const ids = reports.map((r) => r.attemptId);
  if (new Set(ids).size !== ids.length) return undefined;
  const rows = await readAttempts(ctx, ids);
  if (rows.some((r) => r.attempt.run_id !== runId)) return undefined;
  if (new Set(rows.map((r) => r.attempt.task_index)).size !== rows.length) return undefined;
  const byId = new Map(rows.map((r) => [r.attempt.id, r]));
  const results = new Array<AttemptReportResult>(reports.length);
  const accepted: Accepted[] = [];
  reports.forEach((report, at) => {
    const row = byId.get(report.attemptId);
    const to = report.result.skipped === true ? 'skipped' : 'succeeded';
    try {
      if (!row) {
        throw new PipelinesAttemptNotFoundError(`No attempt ${report.attemptId}.`, {
          details: { attemptId: report.attemptId },
        });
      }
      assertHolds(row.attempt, report.workerId, ctx.now, to);
      assertTransition('task', `${runId}/${row.attempt.task_index}`, row.taskState, to);
      accepted.push({ ...row, at, to, result: report.result });
    } catch (error) {
      results[at] = { ok: false, error };
    }
  });
  if (accepted.length === 0) return { results, queued: 0 };
  await endAttempts(ctx, accepted);
  for (const to of ['succeeded', 'skipped'] as const) {
    const ended = accepted.filter((a) => a.to === to).map((a) => a.attempt.task_index);
    if (ended.length === 0) continue;
    await ctx.trx
      .updateTable('run_tasks')
      .set({ state: to, updated_at: isoTime(ctx.now) })
      .where('run_id', '=', runId)
      .where('task_index', 'in', ended)
      .execute();
  }
  const counted = await ctx.trx
    .updateTable('runs')
    .set((eb) => ({ tasks_finished: eb('tasks_finished', '+', accepted.length) }))
    .where('id', '=', runId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordPartitions(ctx, runId, accepted);
  // A canceled run already canceled everything that waited; late reports change nothing else.
  const active = run.state === 'queued' || run.state === 'running';
  const upstream = accepted.filter((a) => a.downstream);
  let queued = 0;
  let final = run.state as RunState;
  if (active) {
    const ended = upstream.map((a) => ({ index: a.attempt.task_index, state: a.to }));
    if (ended.length > 0) queued = await propagate(ctx, runId, ended);
    // Nothing waits on the tasks of a fan-out: the counters just written say whether it is done.
    final = await finishRunIfDone(ctx, runId, ended.length > 0 ? undefined : counted);
  }
  // As if recorded one by one: only the last report saw the run end (runFinished fires once).
  const before: RunState = active && isTerminal('run', final) ? 'running' : final;
  accepted.forEach((a, i) => {
    const runState = i === accepted.length - 1 ? final : before;
    results[a.at] = {
      ok: true,
      outcome: { attemptId: a.attempt.id, state: a.to, taskState: a.to, runState },
    };
  });
  return { results, queued };
}

/** The attempts `ids` with their task's state and partition, and whether a task waits on it. */
async function readAttempts(ctx: TxContext, ids: readonly string[]): Promise<Read[]> {
  const rows = await ctx.trx
    .selectFrom('attempts as a')
    .innerJoin('run_tasks as t', (join) =>
      join.onRef('t.run_id', '=', 'a.run_id').onRef('t.task_index', '=', 'a.task_index'),
    )
    .selectAll('a')
    .select((eb) => [
      't.state as task_state',
      't.partition_index as task_partition_index',
      eb
        .exists(
          eb
            .selectFrom('task_deps as d')
            .select('d.task_index')
            .whereRef('d.run_id', '=', 'a.run_id')
            .whereRef('d.upstream_index', '=', 'a.task_index'),
        )
        .as('downstream'),
    ])
    .where('a.id', 'in', ids)
    .execute();
  return rows.map(({ task_state, task_partition_index, downstream, ...attempt }) => ({
    attempt,
    taskState: task_state,
    partitionIndex: task_partition_index === null ? null : Number(task_partition_index),
    downstream: Boolean(downstream),
  }));
}

/** One UPDATE for every accepted attempt, each with its own figures, and their events. */
async function endAttempts(ctx: TxContext, accepted: readonly Accepted[]): Promise<void> {
  const rows = accepted.map(({ attempt, to, result }) => {
    const c = endedAttemptColumns(attempt, to, result, null, ctx.now);
    // Typed in every row: PostgreSQL would take untyped parameters of a VALUES list as text.
    return sql`(CAST(${attempt.id} AS text), CAST(${c.state} AS text),
      CAST(${c.exit_reason} AS text), CAST(${c.wall_seconds} AS double precision),
      CAST(${c.cpu_user_seconds} AS double precision),
      CAST(${c.cpu_system_seconds} AS double precision), CAST(${c.peak_rss_bytes} AS bigint),
      CAST(${c.rows_written} AS bigint), CAST(${c.bytes_read} AS bigint),
      CAST(${c.bytes_written} AS bigint), CAST(${c.metadata_json} AS text))`;
  });
  // A VALUES list, not a UNION of SELECTs: PostgreSQL plans a UNION of 64 rows in ~3 ms.
  await sql`WITH v (id, state, exit_reason, wall_seconds, cpu_user_seconds, cpu_system_seconds,
      peak_rss_bytes, rows_written, bytes_read, bytes_written, metadata_json)
    AS (VALUES ${sql.join(rows)})
    UPDATE attempts SET state = v.state, finished_at = ${isoTime(ctx.now)},
    exit_reason = v.exit_reason, error_message = NULL, error_code = NULL,
    wall_seconds = v.wall_seconds, cpu_user_seconds = v.cpu_user_seconds,
    cpu_system_seconds = v.cpu_system_seconds, peak_rss_bytes = v.peak_rss_bytes,
    rows_written = v.rows_written, bytes_read = v.bytes_read, bytes_written = v.bytes_written,
    metadata_json = v.metadata_json
    FROM v WHERE attempts.id = v.id`.execute(ctx.trx);
  await recordEvents(
    ctx.trx,
    accepted.map(({ attempt, to }) => ({
      entity: 'attempt' as const,
      runId: attempt.run_id,
      attemptId: attempt.id,
      taskIndex: attempt.task_index,
      from: attempt.state,
      to,
      message: null,
    })),
    ctx.now,
  );
}

/** The succeeded partitions of the accepted tasks, one statement per asset. */
async function recordPartitions(
  ctx: TxContext,
  runId: string,
  accepted: readonly Accepted[],
): Promise<void> {
  const byAsset = new Map<string, PartitionStatusInput[]>();
  for (const { attempt, partitionIndex, to } of accepted) {
    if (partitionIndex === null || to !== 'succeeded') continue;
    const entries = byAsset.get(attempt.asset) ?? [];
    entries.push({ index: partitionIndex, state: to, runId });
    byAsset.set(attempt.asset, entries);
  }
  for (const [asset, entries] of byAsset) {
    // One row per partition: an upsert may not touch a row twice in one statement.
    const unique = [...new Map(entries.map((e) => [e.index, e])).values()];
    await upsertPartitionStatus(ctx.trx, asset, unique, ctx.now);
  }
}
