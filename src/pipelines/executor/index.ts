/**
 * The attempt executor: a warm pool of worker processes that run `run(ctx)` functions and shell
 * commands, measure each attempt from /proc and enforce its time and memory limits.
 */
export {
  attemptRequestFor,
  secretEnvName,
  type AssetLocation,
  type AttemptRequest,
  type AttemptRequestBase,
  type AttemptStartEvent,
  type CommandAttemptRequest,
  type SqlAttemptRequest,
  type RunAttemptRequest,
} from './attempt-request.js';
export type {
  AttemptError,
  AttemptLogLine,
  AttemptResult,
  AttemptUsage,
  ExitReason,
} from './attempt-result.js';
export {
  ExecutorPool,
  type AttemptHandle,
  type ExecutorPoolOptions,
  type ExecutorStats,
} from './executor-pool.js';
export { fetchWithRetry, retryAfterMs, type FetchRetrySettings } from './fetch-with-retry.js';
export type { LakeFactory, LakeFactoryInput, LakeFactoryRef, LakeLease } from './lake-factory.js';
export type {
  AttemptHttpRequests,
  LogLevel as AttemptLogLevel,
  LogStream as AttemptLogStream,
} from './worker-protocol.js';
