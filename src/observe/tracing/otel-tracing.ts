/**
 * The OpenTelemetry side of tracing, imported only when an endpoint is configured: the SDK's
 * tracer with a batch processor and the OTLP/HTTP (JSON) exporter. Spans are created after the
 * fact with explicit start and end times; run and attempt spans get ids derived from marketlake's
 * ids (see trace-ids.ts), through an id generator that hands out the next ids it is told to.
 */
import {
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  diag,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  RandomIdGenerator,
  type IdGenerator,
} from '@opentelemetry/sdk-trace-base';
import { version } from '../../core/index.js';
import {
  attemptAttributes,
  attemptFailed,
  httpClientSpan,
  httpServerAttributes,
  runAttributes,
  type AttemptChildSpanInput,
  type SpanAttributes,
} from './span-inputs.js';
import { attemptSpanId, parseTraceParent, runSpanId, traceIdOfRun } from './trace-ids.js';
import type { Tracing, TracingOptions } from './tracing.js';

/** Random ids unless the next ones were set: startSpan asks synchronously, so set-then-start is safe. */
class DerivedIdGenerator implements IdGenerator {
  readonly #random = new RandomIdGenerator();
  nextTraceId: string | undefined;
  nextSpanId: string | undefined;

  generateTraceId(): string {
    const id = this.nextTraceId ?? this.#random.generateTraceId();
    this.nextTraceId = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this.nextSpanId ?? this.#random.generateSpanId();
    this.nextSpanId = undefined;
    return id;
  }
}

function parentContext(traceId: string, spanId: string): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

function finish(span: Span, endMs: number, error: string | undefined): void {
  if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
  span.end(endMs);
}

/** A run's trace id and the context of its span, the parent of its attempts' spans. */
interface RunTrace {
  readonly traceId: string;
  readonly runContext: Context;
}

/** Runs whose ids are kept: a worker runs the attempts of a few runs at a time. */
const RUN_TRACES_KEPT = 64;

/** The SDK-backed tracing of `createTracing`, exporting to `options.url`. */
export function createOtelTracing(options: TracingOptions & { url: string }): Tracing {
  const logger = options.logger;
  if (logger !== undefined) {
    // Export failures surface through the API's diagnostic logger; without one they are silent.
    diag.setLogger(
      {
        error: (message, ...args) => logger.warn({ args }, `tracing: ${message}`),
        warn: (message, ...args) => logger.warn({ args }, `tracing: ${message}`),
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
  }
  const ids = new DerivedIdGenerator();
  const exporter = new OTLPTraceExporter({
    url: options.url,
    headers: { ...options.headers },
    timeoutMillis: options.exportTimeoutMs ?? 10_000,
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      'service.version': options.serviceVersion ?? version,
    }),
    idGenerator: ids,
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: options.exportDelayMs ?? 2_000,
        exportTimeoutMillis: options.exportTimeoutMs ?? 10_000,
      }),
    ],
  });
  const tracer = provider.getTracer('marketlake', version);
  let closed = false;
  // Ids are hashes: derived once per run, not once per attempt.
  const runTraces = new Map<string, RunTrace>();
  const runTrace = (runId: string): RunTrace => {
    let t = runTraces.get(runId);
    if (t === undefined) {
      const traceId = traceIdOfRun(runId);
      t = { traceId, runContext: parentContext(traceId, runSpanId(runId)) };
      if (runTraces.size >= RUN_TRACES_KEPT) runTraces.clear();
      runTraces.set(runId, t);
    }
    return t;
  };

  const start = (
    name: string,
    startMs: number,
    attributes: SpanAttributes,
    kind: SpanKind,
    parent: Context,
    derived?: { traceId?: string; spanId: string },
  ): Span => {
    ids.nextTraceId = derived?.traceId;
    ids.nextSpanId = derived?.spanId;
    try {
      return tracer.startSpan(name, { startTime: startMs, attributes, kind }, parent);
    } finally {
      ids.nextTraceId = undefined;
      ids.nextSpanId = undefined;
    }
  };

  const attemptChildSpan = (c: AttemptChildSpanInput): void => {
    if (closed) return;
    const parent = parentContext(runTrace(c.runId).traceId, attemptSpanId(c.attemptId));
    const kind = c.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL;
    finish(start(c.name, c.startMs, c.attributes, kind, parent), c.endMs, c.error);
  };
  return {
    enabled: true,
    url: options.url,
    attemptSpan(a) {
      if (closed) return;
      const parent = runTrace(a.runId).runContext;
      const span = start(a.asset, a.startMs, attemptAttributes(a), SpanKind.INTERNAL, parent, {
        spanId: attemptSpanId(a.attemptId),
      });
      const failed = attemptFailed(a.state);
      finish(
        span,
        a.endMs,
        failed ? (a.errorMessage ?? `${a.state} (${a.exitReason})`) : undefined,
      );
    },
    runSpan(r) {
      if (closed) return;
      const span = start(
        `RUN ${r.job ?? r.kind}`,
        r.startMs,
        runAttributes(r),
        SpanKind.INTERNAL,
        ROOT_CONTEXT,
        { traceId: traceIdOfRun(r.runId), spanId: runSpanId(r.runId) },
      );
      finish(span, r.endMs, r.state === 'succeeded' ? undefined : (r.error ?? `run ${r.state}`));
    },
    attemptChildSpan,
    httpClientSpan: (h) => attemptChildSpan(httpClientSpan(h)),
    httpServerSpan(h) {
      if (closed) return;
      const caller = parseTraceParent(h.traceparent);
      const parent = caller ? parentContext(caller.traceId, caller.spanId) : ROOT_CONTEXT;
      const name = `${h.method} ${h.route ?? ''}`.trim();
      const span = start(name, h.startMs, httpServerAttributes(h), SpanKind.SERVER, parent);
      finish(span, h.endMs, h.statusCode >= 500 ? `HTTP ${h.statusCode}` : undefined);
    },
    flush: () => provider.forceFlush(),
    async shutdown() {
      if (closed) return;
      closed = true;
      await provider.shutdown();
    },
  };
}
