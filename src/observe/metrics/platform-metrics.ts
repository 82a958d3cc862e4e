import { Registry } from 'prom-client';
import type { Logger } from '../../core/index.js';
import { applyWrites, collectedGauges, stateToWrites } from './collected-state.js';
import { CollectorSet, type CollectorOptions, type MetricsCollector } from './collectors.js';
import type {
  AttemptFinishedEvent,
  CheckResultEvent,
  ConnectorErrorEvent,
  ConnectorRateLimitWaitEvent,
  ConnectorRequestEvent,
  HttpRequestEvent,
  RunFinishedEvent,
  ScheduleTickEvent,
} from './metric-events.js';
import { createFamilies } from './metric-families.js';
import { httpStatusCode, labelValue, nonNegative, seconds } from './metric-values.js';
import { registerProcessMetrics } from './process-metrics.js';
import { renderExposition } from './render-exposition.js';
import { RequestDurations } from './request-durations.js';
import { AttemptSeries } from './attempt-series.js';

/** Options of `createMetrics`. */
export interface MetricsOptions {
  /** Register the process and Node.js runtime metrics (CPU, memory, fds, GC). Default true. */
  readonly processMetrics?: boolean;
  /** Where failing collectors are logged (warn). Default: not logged, only counted. */
  readonly logger?: Logger;
  /** Longest a collector may take in a scrape before it counts as failed. Default 5000. */
  readonly collectorTimeoutMs?: number;
  /** Clock for collector caching, epoch ms (tests). Default `Date.now`. */
  readonly now?: () => number;
}

/** One rendering of the metrics for an HTTP response. */
export interface MetricsScrape {
  /** The Content-Type header (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** The exposition text. */
  readonly body: string;
}

/**
 * The platform's metrics: event methods the runtime calls as things happen, scrape-time
 * collectors for current state, and `scrape()` for the `/metrics` endpoint. Each instance owns
 * a private prom-client registry, so several platforms (tests, embedded use) never share series.
 * Event methods validate their input and throw `ObserveInvalidMetricValueError` on a bug at the
 * call site (empty label, NaN); they never fail otherwise.
 */
export interface PlatformMetrics {
  /** The private registry (for adding project-specific prom-client metrics). */
  readonly registry: Registry;
  /** A run reached a final state: `marketlake_runs_total{job_name,kind,state}`. */
  runFinished(event: RunFinishedEvent): void;
  /**
   * An attempt finished: counts it and records its wall time, queue time, CPU, peak memory, rows
   * and bytes (`marketlake_attempts_total`, `_attempt_duration_seconds`, ...).
   */
  attemptFinished(event: AttemptFinishedEvent): void;
  /** A failed attempt will be retried: `marketlake_attempt_retries_total{asset}`. */
  attemptRetried(event: { readonly asset: string }): void;
  /** An asset check was evaluated: `marketlake_check_results_total{asset,check,severity,outcome}`. */
  checkResult(event: CheckResultEvent): void;
  /** A connector request completed: `marketlake_connector_requests_total`, `_request_duration_seconds`. */
  connectorRequest(event: ConnectorRequestEvent): void;
  /** A connector operation failed: `marketlake_connector_errors_total{source,reason}`. */
  connectorError(event: ConnectorErrorEvent): void;
  /** A connector waited for its rate limit: `marketlake_connector_rate_limit_wait*`. */
  connectorRateLimitWait(event: ConnectorRateLimitWaitEvent): void;
  /** A schedule tick was evaluated: `marketlake_schedule_ticks_total`, `_schedule_lag_seconds`. */
  scheduleTick(event: ScheduleTickEvent): void;
  /** This process, as a worker, sent a heartbeat: `marketlake_worker_heartbeats_total`. */
  workerHeartbeat(): void;
  /** The HTTP server answered: `marketlake_http_request_duration_seconds{method,route,code}`. */
  httpRequest(event: HttpRequestEvent): void;
  /**
   * Adds or replaces the scrape-time collector `name`. On each scrape every collector runs
   * (concurrently, each within the timeout) and the gauges it feeds are replaced by what it
   * returned; when two collectors return the same series, the one registered later wins. A
   * collector that throws, times out or returns a bad value is logged and counted in
   * `marketlake_metrics_collector_errors_total{collector}`, and its series are absent from
   * that scrape.
   */
  setCollector(name: string, collect: MetricsCollector, options?: CollectorOptions): void;
  /** Removes the collector `name`; true when there was one. */
  removeCollector(name: string): boolean;
  /** Names of the registered collectors, in registration order. */
  collectorNames(): string[];
  /** Runs the collectors and renders every metric in the Prometheus text format. */
  scrape(): Promise<MetricsScrape>;
}

/** Creates the metrics of one platform (API process, scheduler or worker). */
export function createMetrics(options: MetricsOptions = {}): PlatformMetrics {
  const registry = new Registry();
  const f = createFamilies(registry);
  if (options.processMetrics ?? true) registerProcessMetrics(registry);
  const timeoutMs = nonNegative(
    'createMetrics',
    'collectorTimeoutMs',
    options.collectorTimeoutMs ?? 5000,
  );
  const collectors = new CollectorSet(timeoutMs, options.now ?? Date.now, options.logger);
  const gauges = collectedGauges(f);
  const requests = new RequestDurations(f.httpRequestDuration);
  const attempts = new AttemptSeries(f);

  return {
    registry,
    runFinished(e) {
      const at = 'metrics.runFinished';
      f.runs.inc({
        job_name: labelValue(at, 'job', e.job),
        kind: labelValue(at, 'kind', e.kind),
        state: labelValue(at, 'state', e.state),
      });
    },
    attemptFinished(e) {
      const at = 'metrics.attemptFinished';
      const asset = labelValue(at, 'asset', e.asset);
      const state = labelValue(at, 'state', e.state);
      const exitReason = labelValue(at, 'exitReason', e.exitReason);
      const pool = labelValue(at, 'pool', e.pool ?? 'default');
      const wall = seconds(at, 'wallSeconds', e.wallSeconds);
      const queue = seconds(at, 'queueSeconds', e.queueSeconds);
      const cpuUser = nonNegative(at, 'cpuUserSeconds', e.cpuUserSeconds);
      const cpuSystem = nonNegative(at, 'cpuSystemSeconds', e.cpuSystemSeconds);
      const peak = nonNegative(at, 'peakRssBytes', e.peakRssBytes);
      const rows = nonNegative(at, 'rowsWritten', e.rowsWritten);
      const bytes = nonNegative(at, 'bytesWritten', e.bytesWritten);
      // Everything is checked before anything is recorded, so a bad event records nothing.
      attempts.record(asset, state, exitReason, pool, {
        wallSeconds: wall,
        queueSeconds: queue,
        cpuUserSeconds: cpuUser,
        cpuSystemSeconds: cpuSystem,
        peakRssBytes: peak,
        rowsWritten: rows,
        bytesWritten: bytes,
      });
    },
    attemptRetried(e) {
      f.retries.inc({ asset: labelValue('metrics.attemptRetried', 'asset', e.asset) });
    },
    checkResult(e) {
      const at = 'metrics.checkResult';
      f.checkResults.inc({
        asset: labelValue(at, 'asset', e.asset),
        check: labelValue(at, 'check', e.check),
        severity: labelValue(at, 'severity', e.severity),
        outcome: e.passed ? 'passed' : 'failed',
      });
    },
    connectorRequest(e) {
      const at = 'metrics.connectorRequest';
      const source = labelValue(at, 'source', e.source);
      const code = e.status === 'error' ? 'error' : String(httpStatusCode(at, 'status', e.status));
      const duration = seconds(at, 'durationSeconds', e.durationSeconds);
      f.connectorRequests.inc({ source, code });
      f.connectorRequestDuration.observe({ source }, duration);
    },
    connectorError(e) {
      const at = 'metrics.connectorError';
      f.connectorErrors.inc({
        source: labelValue(at, 'source', e.source),
        reason: labelValue(at, 'reason', e.reason),
      });
    },
    connectorRateLimitWait(e) {
      const at = 'metrics.connectorRateLimitWait';
      const source = labelValue(at, 'source', e.source);
      const wait = seconds(at, 'waitSeconds', e.waitSeconds);
      f.connectorRateLimitWaits.inc({ source });
      f.connectorRateLimitWaitSeconds.inc({ source }, wait);
    },
    scheduleTick(e) {
      const at = 'metrics.scheduleTick';
      const schedule = labelValue(at, 'schedule', e.schedule);
      const lag = seconds(at, 'lagSeconds', e.lagSeconds);
      f.scheduleTicks.inc({ schedule });
      f.scheduleLag.set({ schedule }, lag);
    },
    workerHeartbeat() {
      f.workerHeartbeats.inc({});
    },
    httpRequest(e) {
      requests.observe(e.method, e.route, e.status, e.durationSeconds);
    },
    setCollector(name, collect, collectorOptions) {
      collectors.set(name, collect, collectorOptions);
    },
    removeCollector(name) {
      return collectors.remove(name);
    },
    collectorNames() {
      return collectors.names();
    },
    async scrape() {
      const writes: ReturnType<typeof stateToWrites> = [];
      for (const outcome of await collectors.run()) {
        try {
          if (!outcome.ok) throw outcome.error;
          writes.push(...stateToWrites(f, outcome.name, outcome.state));
        } catch (error) {
          if (outcome.ok)
            options.logger?.warn(
              { err: error, collector: outcome.name },
              'metrics collector returned a bad value',
            );
          f.collectorErrors.inc({ collector: outcome.name });
        }
      }
      applyWrites(gauges, writes);
      return { contentType: registry.contentType, body: await renderExposition(registry) };
    },
  };
}
