/**
 * Successes of one run recorded together. Every report of a run takes the run's lock and keeps
 * it until its transaction commits, so the reports of a fan-out (one run, many workers) queue
 * on that lock: recorded one by one, a dozen round trips per report were spent holding it. Here a
 * batch costs one lock, one read of its attempts and tasks, and one statement per table, and
 * refuses a report (lost lease, wrong state) by checking it before anything is written.
 */
import { sql } from 'kysely';
import { preparedQuery, type QueryTarget } from '../../meta/index.js';
import { PipelinesAttemptNotFoundError, PipelinesRunNotFoundError } from '../errors.js';
import {
  assertHolds,
  endedAttemptColumns,
  type AttemptReportResult,
  type AttemptRow,
  type AttemptSuccess,
} from './attempt-outcome.js';
import { finishRunIfDone, propagate } from './propagation.js';
import { upsertPartitionStatus, type PartitionStatusInput } from './partition-status.js';
import { lockRunState, type TxContext } from './run-context.js';
import { recordEvents } from './run-events.js';
import { isoTime } from './run-ids.js';
import { assertTransition, isTerminal, type RunState } from './run-states.js';
import { setTaskStates } from './task-transitions.js';

/** A worker's report of the success (or skip) of an attempt of the run. */
export interface SuccessReport {
  readonly attemptId: string;
  readonly workerId: string;
  readonly result: AttemptSuccess;
}

// What a report needs of its attempt: fewer columns than the row's 30-odd cost less to read.
const ATTEMPT_COLUMNS = [
  'a.id',
  'a.run_id',
  'a.task_index',
  'a.asset',
  'a.state',
  'a.worker_id',
  'a.lease_expires_at_ms',
  'a.started_at',
] as const;

interface Read {
  readonly attempt: Pick<
    AttemptRow,
    | 'id'
    | 'run_id'
    | 'task_index'
    | 'asset'
    | 'state'
    | 'worker_id'
    | 'lease_expires_at_ms'
    | 'started_at'
  >;
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
  const run = await lockRunState(ctx, runId);
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
    await setTaskStates(ctx, runId, ended, to, isoTime(ctx.now));
  }
  const [counted] = await countFinishedReturning(ctx, runId, accepted.length);
  if (counted === undefined) throw new PipelinesRunNotFoundError(`No run ${runId}.`);
  await recordPartitions(ctx, runId, accepted);
  // A canceled run already canceled everything that waited; late reports change nothing else.
  const active = run.state === 'queued' || run.state === 'running';
  const upstream = accepted.filter((a) => a.downstream);
  let queued = 0;
  let final = run.state as RunState;
  if (active) {
    const ended = upstream.map((a) => ({ index: a.attempt.task_index, state: a.to }));
    const propagated = ended.length > 0 ? await propagate(ctx, runId, ended) : undefined;
    queued = propagated?.queued ?? 0;
    // The counters just written say whether the run is done, unless propagation ended tasks
    // (nothing waits on the tasks of a fan-out; the next task of a chain is only queued).
    final = await finishRunIfDone(ctx, runId, (propagated?.ended ?? 0) > 0 ? undefined : counted);
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

// What `finishRunIfDone` reads of the run.
const COUNTED_COLUMNS = [
  'id',
  'state',
  'backfill_id',
  'tasks_total',
  'tasks_finished',
  'tasks_unsuccessful',
] as const;

const countFinishedReturning = preparedQuery((target: QueryTarget, runId: string, n: number) =>
  target.trx
    .updateTable('runs')
    .set((eb) => ({ tasks_finished: eb('tasks_finished', '+', n) }))
    .where('id', '=', runId)
    .returning(COUNTED_COLUMNS),
);

const selectAttemptsWithTasks = preparedQuery((target: QueryTarget, ids: readonly string[]) =>
  target.trx
    .selectFrom('attempts as a')
    .innerJoin('run_tasks as t', (join) =>
      join.onRef('t.run_id', '=', 'a.run_id').onRef('t.task_index', '=', 'a.task_index'),
    )
    .select(ATTEMPT_COLUMNS)
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
    .where('a.id', 'in', ids),
);

/** The attempts `ids` with their task's state and partition, and whether a task waits on it. */
async function readAttempts(ctx: TxContext, ids: readonly string[]): Promise<Read[]> {
  const rows = await selectAttemptsWithTasks(ctx, ids);
  return rows.map(({ task_state, task_partition_index, downstream, ...attempt }) => ({
    attempt,
    taskState: task_state,
    partitionIndex: task_partition_index === null ? null : Number(task_partition_index),
    downstream: Boolean(downstream),
  }));
}

type EndedColumns = ReturnType<typeof endedAttemptColumns>;
type EndedRow = Pick<
  EndedColumns,
  | 'state'
  | 'exit_reason'
  | 'wall_seconds'
  | 'cpu_user_seconds'
  | 'cpu_system_seconds'
  | 'peak_rss_bytes'
  | 'rows_written'
  | 'bytes_read'
  | 'bytes_written'
  | 'metadata_json'
> & { readonly id: string };

const updateEndedAttempts = preparedQuery(
  (target: QueryTarget, rows: readonly EndedRow[], finishedAt: string) => {
    const values = rows.map(
      (r) =>
        // Typed in every row: PostgreSQL would take untyped parameters of a VALUES list as text.
        sql`(CAST(${r.id} AS text), CAST(${r.state} AS text),
      CAST(${r.exit_reason} AS text), CAST(${r.wall_seconds} AS double precision),
      CAST(${r.cpu_user_seconds} AS double precision),
      CAST(${r.cpu_system_seconds} AS double precision), CAST(${r.peak_rss_bytes} AS bigint),
      CAST(${r.rows_written} AS bigint), CAST(${r.bytes_read} AS bigint),
      CAST(${r.bytes_written} AS bigint), CAST(${r.metadata_json} AS text))`,
    );
    // A VALUES list, not a UNION of SELECTs: PostgreSQL plans a UNION of 64 rows in ~3 ms.
    return sql`WITH v (id, state, exit_reason, wall_seconds, cpu_user_seconds, cpu_system_seconds,
      peak_rss_bytes, rows_written, bytes_read, bytes_written, metadata_json)
    AS (VALUES ${sql.join(values)})
    UPDATE attempts SET state = v.state, finished_at = ${finishedAt},
    exit_reason = v.exit_reason, error_message = NULL, error_code = NULL,
    wall_seconds = v.wall_seconds, cpu_user_seconds = v.cpu_user_seconds,
    cpu_system_seconds = v.cpu_system_seconds, peak_rss_bytes = v.peak_rss_bytes,
    rows_written = v.rows_written, bytes_read = v.bytes_read, bytes_written = v.bytes_written,
    metadata_json = v.metadata_json
    FROM v WHERE attempts.id = v.id`.compile(target.trx);
  },
);

/** One UPDATE for every accepted attempt, each with its own figures, and their events. */
async function endAttempts(ctx: TxContext, accepted: readonly Accepted[]): Promise<void> {
  const rows = accepted.map(({ attempt, to, result }): EndedRow => {
    const c = endedAttemptColumns(attempt, to, result, null, ctx.now);
    return {
      id: attempt.id,
      state: c.state,
      exit_reason: c.exit_reason,
      wall_seconds: c.wall_seconds,
      cpu_user_seconds: c.cpu_user_seconds,
      cpu_system_seconds: c.cpu_system_seconds,
      peak_rss_bytes: c.peak_rss_bytes,
      rows_written: c.rows_written,
      bytes_read: c.bytes_read,
      bytes_written: c.bytes_written,
      metadata_json: c.metadata_json,
    };
  });
  await updateEndedAttempts(ctx, rows, isoTime(ctx.now));
  recordEvents(
    ctx,
    accepted.map(({ attempt, to }) => ({
      entity: 'attempt' as const,
      runId: attempt.run_id,
      attemptId: attempt.id,
      taskIndex: attempt.task_index,
      from: attempt.state,
      to,
      message: null,
    })),
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
