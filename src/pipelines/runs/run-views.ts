/**
 * Runs and attempts as the CLI (`runs show --json`) and the API serve them. Timestamps are
 * ISO-8601 UTC with milliseconds; byte and row counts, 64-bit integers, travel as strings.
 */
import type { AttemptRow } from './attempt-outcome.js';
import { parseTags, type RunRow } from './run-context.js';
import type { RunKind } from './run-plan.js';
import type { AttemptState, RunState } from './run-states.js';

/** A run without its attempts, as `listRuns` returns it. */
export interface RunSummary {
  readonly id: string;
  readonly state: RunState;
  readonly kind: RunKind;
  readonly job: string | null;
  readonly priority: number;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly parentRunId: string | null;
  readonly backfillId: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly error: string | null;
  readonly selection: unknown;
  /** Tasks in total, ended, and ended without success. */
  readonly tasks: {
    readonly total: number;
    readonly finished: number;
    readonly unsuccessful: number;
  };
}

/** One attempt in the `runs show --json` shape (plus ids and error details). */
export interface AttemptView {
  readonly id: string;
  readonly taskIndex: number;
  readonly asset: string;
  readonly partition: string | null;
  readonly attempt: number;
  readonly state: AttemptState;
  readonly pool: string | null;
  readonly workerId: string | null;
  readonly enqueuedAt: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly exitReason: string | null;
  readonly error: { readonly message: string; readonly code: string | null } | null;
  readonly wallSeconds: number | null;
  readonly queueSeconds: number | null;
  readonly cpuUserSeconds: number | null;
  readonly cpuSystemSeconds: number | null;
  /** Bytes, as a decimal string. */
  readonly peakRssBytes: string | null;
  readonly rowsWritten: string | null;
  readonly bytesRead: string | null;
  readonly bytesWritten: string | null;
  readonly metadata: Readonly<Record<string, unknown>> | null;
}

/** A run with every attempt, in the `runs show --json` shape. */
export interface RunView extends RunSummary {
  readonly attempts: readonly AttemptView[];
}

function int64(value: number | null): string | null {
  return value === null ? null : String(Math.round(Number(value)));
}

function float(value: number | null): number | null {
  return value === null ? null : Number(value);
}

/** The summary of a run row. */
export function runSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    state: row.state as RunState,
    kind: row.kind as RunKind,
    job: row.job,
    priority: row.priority,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    parentRunId: row.parent_run_id,
    backfillId: row.backfill_id,
    tags: parseTags(row.tags_json),
    error: row.error,
    selection: JSON.parse(row.selection_json) as unknown,
    tasks: {
      total: row.tasks_total,
      finished: row.tasks_finished,
      unsuccessful: row.tasks_unsuccessful,
    },
  };
}

/** The view of an attempt row. */
export function attemptView(row: AttemptRow): AttemptView {
  return {
    id: row.id,
    taskIndex: row.task_index,
    asset: row.asset,
    partition: row.partition_key,
    attempt: row.attempt,
    state: row.state as AttemptState,
    pool: row.pool,
    workerId: row.worker_id,
    enqueuedAt: row.enqueued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    exitReason: row.exit_reason,
    error: row.error_message === null ? null : { message: row.error_message, code: row.error_code },
    wallSeconds: float(row.wall_seconds),
    queueSeconds: float(row.queue_seconds),
    cpuUserSeconds: float(row.cpu_user_seconds),
    cpuSystemSeconds: float(row.cpu_system_seconds),
    peakRssBytes: int64(row.peak_rss_bytes),
    rowsWritten: int64(row.rows_written),
    bytesRead: int64(row.bytes_read),
    bytesWritten: int64(row.bytes_written),
    metadata:
      row.metadata_json === null
        ? null
        : (JSON.parse(row.metadata_json) as Record<string, unknown>),
  };
}
