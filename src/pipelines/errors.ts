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
