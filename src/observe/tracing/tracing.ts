/**
 * Traces of the platform: a run is a trace, each attempt a span under the run's span, work inside
 * an attempt (lake commits, connector requests) spans under the attempt, and API requests spans
 * of their own. Off by default: without an endpoint `createTracing` returns a no-op and never
 * starts the span thread, so tracing costs nothing unless configured.
 */
import type { Logger } from '../../core/index.js';
import { ObserveOtlpEndpointInvalidError } from '../errors.js';
import type { OtlpProtocol } from './otlp-exporter.js';
import type {
  AttemptChildSpanInput,
  AttemptSpanInput,
  HttpClientSpanInput,
  HttpServerSpanInput,
  RunSpanInput,
} from './span-inputs.js';

/** Options of `createTracing`. */
export interface TracingOptions {
  /**
   * OTLP/HTTP endpoint: a collector's base URL (`http://collector:4318`, traces go to
   * `/v1/traces`) or the full traces URL. Unset: tracing is off.
   */
  readonly endpoint?: string;
  /** Encoding of the export requests: `http/protobuf` (default, as OTLP's) or `http/json`. */
  readonly protocol?: OtlpProtocol;
  /** `service.name` of the spans (e.g. `marketlake`, `marketlake-worker`). */
  readonly serviceName: string;
  /** `service.version` (default marketlake's version). */
  readonly serviceVersion?: string;
  /** Extra HTTP headers of the export requests (an API key of a hosted collector). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Most time spans wait before a batch is exported (default 2,000 ms). */
  readonly exportDelayMs?: number;
  /** Timeout of one export request (default 10,000 ms). */
  readonly exportTimeoutMs?: number;
  /** Where export failures are reported (as warnings); they never fail the platform. */
  readonly logger?: Logger;
}

/** The platform's tracer: span helpers with explicit times, and shutdown. */
export interface Tracing {
  /** Whether spans go anywhere; false for the no-op. */
  readonly enabled: boolean;
  /** The traces URL spans are exported to. */
  readonly url: string | undefined;
  /** Emits the span of an ended attempt. */
  attemptSpan(input: AttemptSpanInput): void;
  /** Emits the root span of an ended run. */
  runSpan(input: RunSpanInput): void;
  /** Emits a span inside an attempt (a lake commit). */
  attemptChildSpan(input: AttemptChildSpanInput): void;
  /** Emits the client span of an HTTP request an attempt made (connectors, `ctx.fetch`). */
  httpClientSpan(input: HttpClientSpanInput): void;
  /** Emits the span of an API request. */
  httpServerSpan(input: HttpServerSpanInput): void;
  /** Exports what is buffered now. */
  flush(): Promise<void>;
  /** Exports what is buffered and stops; later spans are dropped. */
  shutdown(): Promise<void>;
}

/** Tracing that does nothing (no endpoint configured). */
export const NOOP_TRACING: Tracing = Object.freeze({
  enabled: false,
  url: undefined,
  attemptSpan: () => undefined,
  runSpan: () => undefined,
  attemptChildSpan: () => undefined,
  httpClientSpan: () => undefined,
  httpServerSpan: () => undefined,
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
});

/** The traces URL of an endpoint: `/v1/traces` appended unless the path already ends with it. */
export function otlpTracesUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (err) {
    throw new ObserveOtlpEndpointInvalidError(
      `The OTLP endpoint "${endpoint}" is not a URL. Set MARKETLAKE_OTLP_ENDPOINT to a collector's OTLP/HTTP address such as http://127.0.0.1:4318, or unset it to turn tracing off.`,
      { cause: err, details: { endpoint } },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ObserveOtlpEndpointInvalidError(
      `The OTLP endpoint "${endpoint}" uses ${url.protocol}; marketlake exports OTLP over HTTP. Use an http:// or https:// address such as http://127.0.0.1:4318 (the collector's OTLP/HTTP port, not gRPC's 4317).`,
      { details: { endpoint } },
    );
  }
  if (!url.pathname.endsWith('/v1/traces'))
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  return url.toString();
}

/**
 * Tracing exporting to `options.endpoint` over OTLP/HTTP (JSON), or the no-op when it is unset
 * or empty. Spans are built and exported on a thread of their own (threaded-tracing.ts).
 */
export async function createTracing(options: TracingOptions): Promise<Tracing> {
  const endpoint = options.endpoint?.trim();
  if (endpoint === undefined || endpoint === '') return NOOP_TRACING;
  const url = otlpTracesUrl(endpoint);
  const { createThreadedTracing } = await import('./threaded-tracing.js');
  return createThreadedTracing({ ...options, url });
}
