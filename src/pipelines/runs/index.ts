/** The run store and task queue: runs, tasks, attempts, logs, backfills, partition status, workers. */
export type { RunLogLine, RunLogInput, RunLogPage, RunLogStream } from './attempt-logs.js';
export type { RequeueResult } from './attempt-leases.js';
export type {
  AttemptFailure,
  AttemptOutcome,
  AttemptResources,
  AttemptSuccess,
} from './attempt-outcome.js';
export type {
  AttemptReportInput,
  AttemptReportResult,
  ReportsAndClaims,
} from './attempt-reports.js';
export type { BackfillInput, BackfillProgress, BackfillQuery, BackfillView } from './backfills.js';
export type { CancelResult } from './cancel-run.js';
export type { ClaimedAttempt, ClaimOptions } from './claim-attempts.js';
export type { CreatedRun } from './insert-run.js';
export {
  PARTITION_STATES,
  type PartitionState,
  type PartitionStatusInput,
  type PartitionStatusItem,
  type PartitionStatusPage,
  type PartitionStatusQuery,
} from './partition-status.js';
export type { RunStoreConfig } from './run-context.js';
export type { RunEvent } from './run-events.js';
export {
  DEFAULT_RUN_PRIORITY,
  RUN_KINDS,
  type RunKind,
  type RunPlan,
  type TaskPlan,
} from './run-plan.js';
export type { RunPage, RunQuery } from './run-queries.js';
export {
  ATTEMPT_STATES,
  BACKFILL_STATES,
  RUN_STATES,
  TASK_STATES,
  assertTransition,
  canTransition,
  isTerminal,
  statesOf,
  type AttemptState,
  type BackfillState,
  type RunState,
  type StatefulEntity,
  type TaskState,
} from './run-states.js';
export { RunStore } from './run-store.js';
export type { RunStoreOptions } from './run-store-options.js';
export type { AttemptView, RunSummary, RunView } from './run-views.js';
export type { RetryRunOptions } from './retry-run.js';
export type { WorkerInfo, WorkerInput } from './workers.js';
export {
  MAX_TREND_BUCKETS,
  RESOURCE_METRICS,
  RESOURCE_SAMPLE_PER_ASSET,
  assertResourceAsset,
  parsePeriodMs,
  resourceTop,
  resourceTrend,
  type AssetResourceSummary,
  type ResourceMetric,
  type ResourceTop,
  type ResourceTopOptions,
  type ResourceTrend,
  type ResourceTrendChange,
  type ResourceTrendOptions,
  type TrendBucket,
  type TrendPoint,
} from './resource-history.js';
export {
  DEFAULT_ANOMALY_FLOORS,
  resourceAnomalies,
  type AnomalyFloors,
  type AnomalyMetric,
  type ResourceAnomaly,
  type ResourceAnomalyOptions,
} from './resource-anomalies.js';
