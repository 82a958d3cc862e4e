/**
 * Tracing that exports over OTLP/HTTP (JSON), imported only when an endpoint is configured. Every
 * span marketlake makes is a record of work that has ended, so there is no live span, context or
 * sampler here: each span is built from its input with explicit times and queued for the
 * exporter (otlp-exporter.ts). Run and attempt spans get ids derived from marketlake's ids (see
 * trace-ids.ts); other spans get random ids. Decision 0007 says why this is not the SDK.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { version } from '../../core/index.js';
import { OtlpExporter, SPAN_KIND, type FinishedSpan } from './otlp-exporter.js';
import {
  attemptAttributes,
  attemptFailed,
  httpClientSpan,
  httpServerAttributes,
  runAttributes,
  type AttemptChildSpanInput,
} from './span-inputs.js';
import { attemptSpanId, parseTraceParent, runSpanId, traceIdOfRun } from './trace-ids.js';
import type { Tracing, TracingOptions } from './tracing.js';

/** A random id of `bytes` bytes in hex, never all zeros (invalid in W3C trace context). */
function randomId(bytes: number): string {
  for (;;) {
    const id = randomBytes(bytes).toString('hex');
    if (/[^0]/.test(id)) return id;
  }
}

/** A run's trace id and span id, derived once per run rather than once per attempt. */
interface RunTrace {
  readonly traceId: string;
  readonly spanId: string;
}

/** Runs whose ids are kept: a worker runs the attempts of a few runs at a time. */
const RUN_TRACES_KEPT = 64;

/** The tracing of `createTracing` when an endpoint is set, exporting to `options.url`. */
export function createOtelTracing(
  options: TracingOptions & {
    url: string;
    /** Where export failures go (default: the logger's warnings). */
    warn?: (message: string) => void;
  },
): Tracing {
  const logger = options.logger;
  const warn = options.warn ?? ((message: string) => logger?.warn(`tracing: ${message}`));
  const exporter = new OtlpExporter({
    url: options.url,
    ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
    headers: { ...options.headers },
    resource: {
      'service.name': options.serviceName,
      'service.version': options.serviceVersion ?? version,
      'host.name': hostname(),
      'process.pid': process.pid,
      'telemetry.sdk.name': 'marketlake',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': version,
    },
    scope: { name: 'marketlake', version },
    delayMs: options.exportDelayMs ?? 2_000,
    timeoutMs: options.exportTimeoutMs ?? 10_000,
    warn,
  });
  let closed = false;
  const add = (span: FinishedSpan): void => {
    if (!closed) exporter.add(span);
  };
  const runTraces = new Map<string, RunTrace>();
  const runTrace = (runId: string): RunTrace => {
    let t = runTraces.get(runId);
    if (t === undefined) {
      t = { traceId: traceIdOfRun(runId), spanId: runSpanId(runId) };
      if (runTraces.size >= RUN_TRACES_KEPT) runTraces.clear();
      runTraces.set(runId, t);
    }
    return t;
  };

  const attemptChildSpan = (c: AttemptChildSpanInput): void => {
    if (closed) return;
    add({
      traceId: runTrace(c.runId).traceId,
      spanId: randomId(8),
      parentSpanId: attemptSpanId(c.attemptId),
      name: c.name,
      kind: c.kind === 'client' ? SPAN_KIND.client : SPAN_KIND.internal,
      startMs: c.startMs,
      endMs: c.endMs,
      attributes: c.attributes,
      ...(c.error !== undefined ? { error: c.error } : {}),
    });
  };
  return {
    enabled: true,
    url: options.url,
    attemptSpan(a) {
      if (closed) return;
      const run = runTrace(a.runId);
      add({
        traceId: run.traceId,
        spanId: attemptSpanId(a.attemptId),
        parentSpanId: run.spanId,
        name: a.asset,
        kind: SPAN_KIND.internal,
        startMs: a.startMs,
        endMs: a.endMs,
        attributes: attemptAttributes(a),
        ...(attemptFailed(a.state)
          ? { error: a.errorMessage ?? `${a.state} (${a.exitReason})` }
          : {}),
      });
    },
    runSpan(r) {
      if (closed) return;
      add({
        traceId: traceIdOfRun(r.runId),
        spanId: runSpanId(r.runId),
        name: `RUN ${r.job ?? r.kind}`,
        kind: SPAN_KIND.internal,
        startMs: r.startMs,
        endMs: r.endMs,
        attributes: runAttributes(r),
        ...(r.state === 'succeeded' ? {} : { error: r.error ?? `run ${r.state}` }),
      });
    },
    attemptChildSpan,
    httpClientSpan: (h) => attemptChildSpan(httpClientSpan(h)),
    httpServerSpan(h) {
      if (closed) return;
      const caller = parseTraceParent(h.traceparent);
      add({
        traceId: caller?.traceId ?? randomId(16),
        spanId: randomId(8),
        ...(caller !== undefined ? { parentSpanId: caller.spanId } : {}),
        name: `${h.method} ${h.route ?? ''}`.trim(),
        kind: SPAN_KIND.server,
        startMs: h.startMs,
        endMs: h.endMs,
        attributes: httpServerAttributes(h),
        ...(h.statusCode >= 500 ? { error: `HTTP ${h.statusCode}` } : {}),
      });
    },
    flush: () => exporter.flush(),
    async shutdown() {
      if (closed) return;
      closed = true;
      await exporter.shutdown();
    },
  };
}
