/**
 * The public SDK of marketlake: what a project's `marketlake.config.ts` and pipeline files import
 * as `from 'marketlake'`.
 */
export { defineConfig } from './core/index.js';
export type { UserConfig, MarketlakeConfig } from './core/index.js';
export {
  asset,
  daily,
  inbox,
  monthly,
  multiPartitions,
  NonRetryableError,
  schedule,
  sensor,
  sessions,
  staticPartitions,
} from './pipelines/index.js';
export type {
  AssetCheckOptions,
  AssetContext,
  AssetDefinition,
  AssetOptions,
  AssetResources,
  AssetRunFunction,
  AssetSelection,
  CatchUpPolicy,
  CheckResult,
  DailyOptions,
  FetchRetryOptions,
  InboxOptions,
  KeyPage,
  KeyRange,
  MonthlyOptions,
  PartitionsDefinition,
  RetryOptions,
  RetryPolicy,
  RunRequest,
  ScheduleDefinition,
  ScheduleOptions,
  SchedulePartitionMode,
  SensorContext,
  SensorDefinition,
  SensorOptions,
  SensorResult,
  SessionsOptions,
  TaskLogger,
} from './pipelines/index.js';
