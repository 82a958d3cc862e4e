/** Traces: run, attempt, attempt-child and API request spans exported over OTLP/HTTP. */
export {
  attemptAttributes,
  attemptResult,
  httpClientAttributes,
  httpClientSpan,
  httpServerAttributes,
  runAttributes,
  runResult,
  type AttemptChildSpanInput,
  type AttemptSpanInput,
  type AttemptSpanResources,
  type HttpClientSpanInput,
  type HttpServerSpanInput,
  type RunSpanInput,
  type SpanAttributes,
} from './span-inputs.js';
export { OTLP_PROTOCOLS, type OtlpProtocol } from './otlp-exporter.js';
export {
  attemptSpanId,
  parseTraceParent,
  runSpanId,
  traceIdOfRun,
  type TraceParent,
} from './trace-ids.js';
export {
  NOOP_TRACING,
  createTracing,
  otlpTracesUrl,
  type Tracing,
  type TracingOptions,
} from './tracing.js';
