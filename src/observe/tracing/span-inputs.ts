/**
 * What the platform reports to tracing, and the span attributes made of it. Attribute names
 * follow the OpenTelemetry CI/CD semantic conventions (`cicd.pipeline.*`) where they fit, HTTP
 * conventions for API requests and for the requests attempts make, and `marketlake.*` for
 * resource figures.
 */
import type { OutboundHttpRequest } from '../../core/index.js';

/** Attribute values a span carries. */
export type SpanAttributes = Record<string, string | number | boolean>;

/** Resources an attempt used, as the executor measured them. */
export interface AttemptSpanResources {
  readonly wallSeconds: number;
  readonly queueSeconds: number;
  readonly cpuUserSeconds: number;
  readonly cpuSystemSeconds: number;
  readonly peakRssBytes: number;
  readonly rowsWritten: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

/** An ended attempt: one span, child of its run's span. */
export interface AttemptSpanInput {
  readonly runId: string;
  readonly attemptId: string;
  readonly asset: string;
  readonly partition: string | null;
  /** Attempt number, 1 for the first. */
  readonly attempt: number;
  /** When the worker started it (epoch ms); the end when it never started. */
  readonly startMs: number;
  readonly endMs: number;
  /** The state the store recorded: succeeded, failed, canceled, lost. */
  readonly state: string;
  /** OK, ERROR, TIMEOUT, OOM, KILLED, CRASHED, NOT_STARTED. */
  readonly exitReason: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly workerId?: string;
  readonly pool?: string;
  readonly resources: AttemptSpanResources;
  /** Outbound HTTP requests the attempt made, and how many of them have no span (over the bound). */
  readonly http?: { readonly requests: number; readonly unrecorded: number };
}

/** An ended run: the root span of its trace. */
export interface RunSpanInput {
  readonly runId: string;
  /** manual, schedule, backfill, retry or sensor. */
  readonly kind: string;
  /** The schedule, sensor or job that made it. */
  readonly job: string | null;
  readonly state: string;
  /** The run's creation (epoch ms). */
  readonly startMs: number;
  readonly endMs: number;
  readonly error?: string;
  /** Attempts of the run this process ran without a span (sampled out). */
  readonly attemptsNotTraced?: number;
}

/** Work inside an attempt (a lake commit, a connector HTTP request): a child of the attempt span. */
export interface AttemptChildSpanInput {
  readonly runId: string;
  readonly attemptId: string;
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: SpanAttributes;
  /** Client spans for outgoing requests; internal otherwise. */
  readonly kind?: 'internal' | 'client';
  /** Marks the span as failed with this message. */
  readonly error?: string;
}

/** One outbound HTTP request an attempt made: a client span, child of the attempt span. */
export interface HttpClientSpanInput {
  readonly runId: string;
  readonly attemptId: string;
  readonly request: OutboundHttpRequest;
}

/** One HTTP request the API served. */
export interface HttpServerSpanInput {
  readonly method: string;
  /** Route pattern (`/api/runs/:id`), never the raw URL, so span names stay few. */
  readonly route: string | undefined;
  /** Path without the query string. */
  readonly path: string;
  readonly statusCode: number;
  readonly startMs: number;
  readonly endMs: number;
  /** The caller's W3C `traceparent` header, when it sent one. */
  readonly traceparent?: string;
  readonly userAgent?: string;
}

/** `cicd.pipeline.task.run.result` of an attempt. */
export function attemptResult(state: string, exitReason: string): string {
  if (state === 'succeeded') return 'success';
  if (state === 'skipped') return 'skip';
  if (state === 'canceled' || exitReason === 'KILLED') return 'cancellation';
  if (exitReason === 'TIMEOUT') return 'timeout';
  // The system failed the task (worker died, lease lost), not the task's code.
  if (state === 'lost' || exitReason === 'CRASHED' || exitReason === 'NOT_STARTED') return 'error';
  return 'failure';
}

/** `cicd.pipeline.result` of a run. */
export function runResult(state: string): string {
  if (state === 'succeeded') return 'success';
  if (state === 'canceled') return 'cancellation';
  return 'failure';
}

/** Whether an attempt span is marked as an error. */
export function attemptFailed(state: string): boolean {
  return state !== 'succeeded' && state !== 'skipped';
}

/** Span attributes of an attempt (assigned one by one: one object per span, no spread copies). */
export function attemptAttributes(a: AttemptSpanInput): SpanAttributes {
  const r = a.resources;
  const out: SpanAttributes = {
    'cicd.pipeline.name': a.asset,
    'cicd.pipeline.run.id': a.runId,
    'cicd.pipeline.task.name': a.asset,
    'cicd.pipeline.task.run.id': a.attemptId,
    'cicd.pipeline.task.run.result': attemptResult(a.state, a.exitReason),
  };
  if (a.workerId !== undefined) out['cicd.worker.id'] = a.workerId;
  out['marketlake.asset'] = a.asset;
  if (a.partition !== null) out['marketlake.partition'] = a.partition;
  out['marketlake.attempt'] = a.attempt;
  out['marketlake.state'] = a.state;
  out['marketlake.exit_reason'] = a.exitReason;
  if (a.pool !== undefined) out['marketlake.pool'] = a.pool;
  out['marketlake.wall_seconds'] = r.wallSeconds;
  out['marketlake.queue_seconds'] = r.queueSeconds;
  out['marketlake.cpu_user_seconds'] = r.cpuUserSeconds;
  out['marketlake.cpu_system_seconds'] = r.cpuSystemSeconds;
  out['marketlake.peak_rss_bytes'] = r.peakRssBytes;
  out['marketlake.rows_written'] = r.rowsWritten;
  out['marketlake.bytes_read'] = r.bytesRead;
  out['marketlake.bytes_written'] = r.bytesWritten;
  if (a.http !== undefined) {
    out['marketlake.http_requests'] = a.http.requests;
    out['marketlake.http_requests_unrecorded'] = a.http.unrecorded;
  }
  if (a.errorCode !== undefined) out['error.type'] = a.errorCode;
  return out;
}

/** Span attributes of a run. */
export function runAttributes(r: RunSpanInput): SpanAttributes {
  return {
    'cicd.pipeline.name': r.job ?? r.kind,
    'cicd.pipeline.run.id': r.runId,
    'cicd.pipeline.action.name': 'RUN',
    'cicd.pipeline.result': runResult(r.state),
    'marketlake.run.kind': r.kind,
    'marketlake.state': r.state,
    ...(r.job !== null ? { 'marketlake.run.job': r.job } : {}),
    ...(r.attemptsNotTraced !== undefined
      ? { 'marketlake.attempts_not_traced': r.attemptsNotTraced }
      : {}),
  };
}

/** Span attributes of an API request. */
export function httpServerAttributes(h: HttpServerSpanInput): SpanAttributes {
  return {
    'http.request.method': h.method,
    ...(h.route !== undefined ? { 'http.route': h.route } : {}),
    'url.path': h.path,
    'url.scheme': 'http',
    'http.response.status_code': h.statusCode,
    ...(h.userAgent !== undefined ? { 'user_agent.original': h.userAgent } : {}),
    ...(h.statusCode >= 500 ? { 'error.type': String(h.statusCode) } : {}),
  };
}

/** Span attributes of an outbound HTTP request (OpenTelemetry HTTP client conventions). */
export function httpClientAttributes(r: OutboundHttpRequest): SpanAttributes {
  const defaultPort =
    (r.scheme === 'https' && r.port === 443) || (r.scheme === 'http' && r.port === 80);
  const host = r.host.includes(':') ? `[${r.host}]` : r.host;
  return {
    'http.request.method': r.method,
    'server.address': r.host,
    'server.port': r.port,
    'url.scheme': r.scheme,
    'url.path': r.path,
    // Without the query string, which may carry credentials.
    'url.full': `${r.scheme}://${host}${defaultPort ? '' : `:${r.port}`}${r.path}`,
    ...(r.status !== undefined ? { 'http.response.status_code': r.status } : {}),
    ...(r.resendCount > 0 ? { 'http.request.resend_count': r.resendCount } : {}),
    ...(r.errorType !== undefined ? { 'error.type': r.errorType } : {}),
    ...(r.source !== undefined ? { 'marketlake.source': r.source } : {}),
  };
}

/** The child span of an attempt for one request it made, named by the method. */
export function httpClientSpan({
  runId,
  attemptId,
  request: r,
}: HttpClientSpanInput): AttemptChildSpanInput {
  const failedStatus = r.status !== undefined && r.status >= 400 ? `HTTP ${r.status}` : undefined;
  const error = r.error ?? failedStatus ?? r.errorType;
  return {
    runId,
    attemptId,
    name: r.method,
    startMs: r.startMs,
    endMs: r.endMs,
    attributes: httpClientAttributes(r),
    kind: 'client',
    ...(error !== undefined ? { error } : {}),
  };
}
