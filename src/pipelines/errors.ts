import { MarketlakeError } from '../core/index.js';

/**
 * Errors of the pipelines domain. Definition errors are raised eagerly by the SDK (`asset()`,
 * `schedule()`, ...) so a mistake surfaces where it is written, with the asset and field named;
 * the project loader turns them into diagnostics with file and line.
 */

/** A definition (asset, schedule, sensor, partitions, retry policy) has a missing or bad field. */
export class PipelinesDefinitionInvalidError extends MarketlakeError {
  readonly code = 'PIPELINES_DEFINITION_INVALID';
}

/** Assets depend on each other in a cycle, so no order can run them. */
export class PipelinesCycleError extends MarketlakeError {
  readonly code = 'PIPELINES_CYCLE';
}

/** An asset lists a dependency that no loaded asset provides. */
export class PipelinesUnknownDependencyError extends MarketlakeError {
  readonly code = 'PIPELINES_UNKNOWN_DEPENDENCY';
}

/** Two definitions give an asset the same name. */
export class PipelinesDuplicateAssetError extends MarketlakeError {
  readonly code = 'PIPELINES_DUPLICATE_ASSET';
}

/** Two schedules or two sensors share a name. */
export class PipelinesDuplicateDefinitionError extends MarketlakeError {
  readonly code = 'PIPELINES_DUPLICATE_DEFINITION';
}

/** A schedule's cron expression (or its time zone) cannot be parsed. */
export class PipelinesInvalidCronError extends MarketlakeError {
  readonly code = 'PIPELINES_INVALID_CRON';
}

/** A pipeline file does not compile, fails to import a module, or throws while loading. */
export class PipelinesLoadFailedError extends MarketlakeError {
  readonly code = 'PIPELINES_LOAD_FAILED';
}

/** A name given to select assets (a schedule's `select`, `downstreamOf`) matches no asset. */
export class PipelinesUnknownAssetError extends MarketlakeError {
  readonly code = 'PIPELINES_UNKNOWN_ASSET';
}

/** An asset or schedule was excluded because an asset it depends on or selects was excluded. */
export class PipelinesUpstreamInvalidError extends MarketlakeError {
  readonly code = 'PIPELINES_UPSTREAM_INVALID';
}

/** A partition key is malformed or outside an asset's partitions, or a key range is reversed. */
export class PipelinesInvalidPartitionKeyError extends MarketlakeError {
  readonly code = 'PIPELINES_INVALID_PARTITION_KEY';
}

/**
 * Thrown by user code to fail an attempt without retries (bad input that another try cannot fix).
 * The executor recognizes it by `code`, not `instanceof`, because a project's pipeline files may
 * be evaluated against another copy of the SDK module.
 */
export class NonRetryableError extends MarketlakeError {
  readonly code = 'PIPELINES_NON_RETRYABLE';
  override readonly retryable = false;
}

/** An attempt request given to the executor has a missing or bad field. */
export class PipelinesAttemptInvalidError extends MarketlakeError {
  readonly code = 'PIPELINES_ATTEMPT_INVALID';
}

/** An attempt was submitted to an executor pool that is closing or closed. */
export class PipelinesExecutorClosedError extends MarketlakeError {
  readonly code = 'PIPELINES_EXECUTOR_CLOSED';
}

/** The executor could not start its worker processes. */
export class PipelinesWorkerStartFailedError extends MarketlakeError {
  readonly code = 'PIPELINES_WORKER_START_FAILED';
  override readonly retryable = true;
}

/** An attempt cannot run the asset's task (a SQL task the executor does not run, or not a run task). */
export class PipelinesTaskUnsupportedError extends MarketlakeError {
  readonly code = 'PIPELINES_TASK_UNSUPPORTED';
}

/** `ctx.secret(name)` asked for a secret the attempt was not given. */
export class PipelinesSecretMissingError extends MarketlakeError {
  readonly code = 'PIPELINES_SECRET_MISSING';
}

/** `ctx.lake` was used in an executor started without a lake factory. */
export class PipelinesLakeUnavailableError extends MarketlakeError {
  readonly code = 'PIPELINES_LAKE_UNAVAILABLE';
}

/** A command task exited with a non-zero status or was killed by a signal it did not get from us. */
export class PipelinesCommandFailedError extends MarketlakeError {
  readonly code = 'PIPELINES_COMMAND_FAILED';
  override readonly retryable = true;
}

/** An attempt ran longer than its `timeoutMs` and was killed. */
export class PipelinesAttemptTimeoutError extends MarketlakeError {
  readonly code = 'PIPELINES_ATTEMPT_TIMEOUT';
  override readonly retryable = true;
}

/** An attempt went over its memory limit (RSS watchdog or JavaScript heap limit) and was killed. */
export class PipelinesAttemptOomError extends MarketlakeError {
  readonly code = 'PIPELINES_ATTEMPT_OOM';
  override readonly retryable = true;
}

/** An attempt's worker process exited without reporting a result (process.exit, a fatal error). */
export class PipelinesAttemptCrashedError extends MarketlakeError {
  readonly code = 'PIPELINES_ATTEMPT_CRASHED';
  override readonly retryable = true;
}

/** An attempt was canceled and its processes were killed. */
export class PipelinesAttemptKilledError extends MarketlakeError {
  readonly code = 'PIPELINES_ATTEMPT_KILLED';
}

/** No run has the given id (it never existed or history retention removed it). */
export class PipelinesRunNotFoundError extends MarketlakeError {
  readonly code = 'PIPELINES_RUN_NOT_FOUND';

  /** The error for a run id that matches no run. */
  static of(runId: string): PipelinesRunNotFoundError {
    return new PipelinesRunNotFoundError(
      `No run ${runId}. \`marketlake runs\` lists the runs that exist.`,
      { details: { runId } },
    );
  }
}

/** No attempt has the given id. */
export class PipelinesAttemptNotFoundError extends MarketlakeError {
  readonly code = 'PIPELINES_ATTEMPT_NOT_FOUND';
}

/** No backfill has the given id. */
export class PipelinesBackfillNotFoundError extends MarketlakeError {
  readonly code = 'PIPELINES_BACKFILL_NOT_FOUND';
}

/** A run, task, attempt or backfill was asked to move to a state its current state cannot reach. */
export class PipelinesInvalidTransitionError extends MarketlakeError {
  readonly code = 'PIPELINES_INVALID_TRANSITION';
}

/**
 * A worker reported on an attempt whose lease it no longer holds (the lease expired and the
 * attempt was re-queued or given to another worker): its result is refused so that a zombie
 * worker can never complete or commit an attempt twice.
 */
export class PipelinesLeaseLostError extends MarketlakeError {
  readonly code = 'PIPELINES_LEASE_LOST';
}

/** A run plan is empty, has a dependency out of range or a cycle, or a task has a bad field. */
export class PipelinesRunPlanInvalidError extends MarketlakeError {
  readonly code = 'PIPELINES_RUN_PLAN_INVALID';
}

/** A run-store call got a bad argument or option (a negative slot count, an unknown state). */
export class PipelinesRunArgumentInvalidError extends MarketlakeError {
  readonly code = 'PIPELINES_RUN_ARGUMENT_INVALID';
}

/** A run was asked to be retried while it is still queued or running. */
export class PipelinesRunNotFinishedError extends MarketlakeError {
  readonly code = 'PIPELINES_RUN_NOT_FINISHED';
}

/** A failed-only retry found no failed, upstream-failed or canceled task in the run. */
export class PipelinesNothingToRetryError extends MarketlakeError {
  readonly code = 'PIPELINES_NOTHING_TO_RETRY';
}

/** This process serves the API without a pipelines runtime (a read-only tool). */
export class PipelinesRuntimeUnavailableError extends MarketlakeError {
  readonly code = 'PIPELINES_RUNTIME_UNAVAILABLE';
}
