import type { Registry } from 'prom-client';
import { version } from '../../core/index.js';
import { REQUEST_DURATION_BUCKETS_SECONDS, TASK_DURATION_BUCKETS_SECONDS } from './buckets.js';
import { CompactCounter, CompactGauge, CompactHistogram } from './compact-instruments.js';

/**
 * Every platform metric (the process metrics aside), registered into one private registry.
 * docs/metrics.md lists the same names, types and labels; a test keeps the two in sync.
 *
 * Labels are bounded by the project's definitions (assets, jobs, schedules, checks, datasets,
 * sources, pools, routes) or by fixed sets (states, exit reasons, status codes); run ids,
 * partition keys and symbols never become labels, so the series count does not grow with
 * history.
 */

/** Prefix of every marketlake metric. */
export const METRIC_PREFIX = 'marketlake_';

/** Builds the instruments into `registry`. */
export function createFamilies(registry: Registry) {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new CompactCounter<L>(METRIC_PREFIX + name, help, labelNames, registry);
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new CompactGauge<L>(METRIC_PREFIX + name, help, labelNames, registry);
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[],
  ) => new CompactHistogram<L>(METRIC_PREFIX + name, help, labelNames, buckets, registry);

  const families = {
    buildInfo: gauge('build_info', 'Always 1; the version label names the running build.', [
      'version',
    ]),
    // Pipelines: events, recorded as they happen.
    // `job_name`, not `job`: Prometheus owns `job` (the scrape job) and would rename ours.
    runs: counter('runs_total', 'Runs that reached a final state, by job, kind and state.', [
      'job_name',
      'kind',
      'state',
    ]),
    attempts: counter(
      'attempts_total',
      'Task attempts that finished, by asset, final state and exit reason.',
      ['asset', 'state', 'exit_reason'],
    ),
    attemptDuration: histogram(
      'attempt_duration_seconds',
      'Wall time of finished attempts, from a worker receiving the attempt to its result.',
      ['asset'],
      TASK_DURATION_BUCKETS_SECONDS,
    ),
    attemptQueueDuration: histogram(
      'attempt_queue_duration_seconds',
      'Time attempts waited in the queue before a worker started them, by pool.',
      ['pool'],
      TASK_DURATION_BUCKETS_SECONDS,
    ),
    attemptCpu: counter(
      'attempt_cpu_seconds_total',
      'CPU time of finished attempts (worker and its child processes), by asset and mode.',
      ['asset', 'mode'],
    ),
    attemptPeakMemory: gauge(
      'attempt_peak_memory_bytes',
      'Peak resident memory of the latest finished attempt of each asset.',
      ['asset'],
    ),
    writtenRows: counter('written_rows_total', 'Rows written by finished attempts.', ['asset']),
    writtenBytes: counter(
      'written_bytes_total',
      'Bytes finished attempts wrote to storage (from /proc/<pid>/io).',
      ['asset'],
    ),
    retries: counter('attempt_retries_total', 'Attempts scheduled again after a failure.', [
      'asset',
    ]),
    checkResults: counter(
      'check_results_total',
      'Asset check evaluations, by asset, check, severity and outcome (passed or failed).',
      ['asset', 'check', 'severity', 'outcome'],
    ),
    scheduleTicks: counter('schedule_ticks_total', 'Schedule ticks that were evaluated.', [
      'schedule',
    ]),
    scheduleLag: gauge(
      'schedule_lag_seconds',
      "How late the schedule's latest tick was evaluated after its due time.",
      ['schedule'],
    ),
    workerHeartbeats: counter(
      'worker_heartbeats_total',
      'Heartbeats this process sent as a worker (cluster mode).',
      [],
    ),
    // Connectors.
    connectorRequests: counter(
      'connector_requests_total',
      'Requests connectors sent, by source and response status code ("error": no response).',
      ['source', 'code'],
    ),
    connectorRequestDuration: histogram(
      'connector_request_duration_seconds',
      'Duration of connector requests, by source.',
      ['source'],
      REQUEST_DURATION_BUCKETS_SECONDS,
    ),
    connectorErrors: counter(
      'connector_errors_total',
      'Connector failures, by source and reason (an error code).',
      ['source', 'reason'],
    ),
    connectorRateLimitWaits: counter(
      'connector_rate_limit_waits_total',
      'Times a connector waited for its rate limit, by source.',
      ['source'],
    ),
    connectorRateLimitWaitSeconds: counter(
      'connector_rate_limit_wait_seconds_total',
      'Time connectors spent waiting for their rate limits, by source.',
      ['source'],
    ),
    // HTTP server.
    httpRequestDuration: histogram(
      'http_request_duration_seconds',
      'Duration of HTTP requests served, by method, route pattern and status code.',
      ['method', 'route', 'code'],
      REQUEST_DURATION_BUCKETS_SECONDS,
    ),
    // Fed by collectors at scrape time (see collected-state.ts).
    activeRuns: gauge('active_runs', 'Runs queued or running.', []),
    queuedAttempts: gauge('queued_attempts', 'Attempts waiting for a worker.', []),
    runningAttempts: gauge('running_attempts', 'Attempts running on a worker.', []),
    poolSlotsInUse: gauge('pool_slots_in_use', 'Pool slots held by running attempts.', ['pool']),
    poolSlots: gauge('pool_slots', 'Slots of each pool (its concurrency limit).', ['pool']),
    workers: gauge('workers', 'Workers known to the metadata store, by state.', ['state']),
    workerHeartbeatAge: gauge(
      'worker_heartbeat_age_seconds',
      'Age of the oldest latest heartbeat among live workers.',
      [],
    ),
    assetLastSuccess: gauge(
      'asset_last_success_timestamp_seconds',
      'When each asset last materialized successfully (Unix time).',
      ['asset'],
    ),
    lakeDatasetSize: gauge(
      'lake_dataset_size_bytes',
      "Bytes of the Parquet files of each dataset's head version.",
      ['dataset'],
    ),
    lakeDatasetFiles: gauge('lake_dataset_files', "Files of each dataset's head version.", [
      'dataset',
    ]),
    lakeDatasetRows: gauge('lake_dataset_rows', "Rows of each dataset's head version.", [
      'dataset',
    ]),
    // The metrics pipeline itself.
    collectorErrors: counter(
      'metrics_collector_errors_total',
      'Scrape-time collectors that failed or timed out; their series are absent from that scrape.',
      ['collector'],
    ),
  };
  families.buildInfo.set({ version }, 1);
  return families;
}

/** The instruments of one registry. */
export type MetricFamilies = ReturnType<typeof createFamilies>;
