/** The pipelines runtime: worker loop, scheduler, sensors, backfills and the facade over them. */
export {
  BACKFILL_CHUNK,
  backfillPlans,
  type BackfillPreview,
  type BackfillRequest,
} from './backfill-launcher.js';
export { PipelinesRuntime, SCHEDULER_LEASE, type RuntimeOptions } from './pipelines-runtime.js';
export { ProjectHolder, type ProjectSnapshot } from './project-holder.js';
export { combineHooks, type AttemptReport, type RuntimeHooks } from './runtime-hooks.js';
export {
  blockingFailure,
  runAssetChecks,
  type AssetCheckOutcome,
  type CheckTarget,
} from './asset-check-runner.js';
export { planForTick } from './schedule-runner.js';
export { projectView, type AssetView, type ProjectView } from './asset-views.js';
export { planSelection, resolveAssets, type SelectionRequest } from './selection.js';
export { INBOX_FILE_TAG, TaskRunner, type TaskRunnerOptions } from './task-runner.js';
export { WORKER_LAKE_ENV, type WorkerLakeSettings } from './worker-lake.js';
