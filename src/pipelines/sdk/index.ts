/** The pipeline SDK: the definitions a project's `pipelines/*.ts` files write. */
export {
  asset,
  type AssetDefinition,
  type AssetOptions,
  type AssetOptionsBase,
  type AssetResources,
  type AssetRunFunction,
} from './asset.js';
export type { AssetCheck, AssetCheckOptions } from './asset-checks.js';
export { barChecks, type BarChecksOptions } from './bar-checks.js';
export type { AssetContext, CheckResult, FetchRetryOptions, TaskLogger } from './asset-context.js';
export type { AssetTask, CommandTask, RunTask, SqlTask } from './asset-task.js';
export {
  DEFINITION,
  definitionKindOf,
  isDefinition,
  type Branded,
  type DefinitionKind,
  type SourceLocation,
} from './brand.js';
export { globToRegExp } from './glob.js';
export {
  DEFAULT_RETRY_POLICY,
  isRetryableError,
  retryDelayMs,
  retryPolicy,
  shouldRetry,
  type RetryOptions,
  type RetryPolicy,
} from './retry.js';
export {
  schedule,
  type AssetSelection,
  type CatchUpPolicy,
  type ScheduleDefinition,
  type ScheduleOptions,
  type SchedulePartitionMode,
} from './schedule.js';
export {
  inbox,
  isSensor,
  sensor,
  type CustomSensorDefinition,
  type InboxOptions,
  type InboxSensorDefinition,
  type RunRequest,
  type SensorContext,
  type SensorDefinition,
  type SensorOptions,
  type SensorResult,
} from './sensor.js';
