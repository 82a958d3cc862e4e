export { TASK_DURATION_BUCKETS_SECONDS, REQUEST_DURATION_BUCKETS_SECONDS } from './buckets.js';
export type {
  AssetLastSuccess,
  CollectedState,
  LakeDatasetSize,
  PoolUsage,
} from './collected-state.js';
export type { CollectorOptions, MetricsCollector } from './collectors.js';
export type {
  AttemptFinishedEvent,
  CheckResultEvent,
  ConnectorErrorEvent,
  ConnectorRateLimitWaitEvent,
  ConnectorRequestEvent,
  HttpRequestEvent,
  RunFinishedEvent,
  ScheduleTickEvent,
} from './metric-events.js';
export { METRIC_PREFIX } from './metric-families.js';
export {
  createMetrics,
  type MetricsOptions,
  type MetricsScrape,
  type PlatformMetrics,
} from './platform-metrics.js';
export {
  startMetricsServer,
  type MetricsServer,
  type MetricsServerOptions,
} from './metrics-server.js';
