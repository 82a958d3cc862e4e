/**
 * Batches finished spans and sends them over OTLP/HTTP (`POST <url>`, one
 * `ExportTraceServiceRequest` per batch, in protocol buffers by default or in JSON). marketlake's spans are records of work that has ended
 * (attempts, runs, commits, requests), created with explicit times, so adding one is a push onto
 * a queue; the encoding happens once per batch, off the path of the attempt or request that made
 * it. A batch goes out when it is full or after `delayMs`; failures are retried (network errors,
 * 429, 502-504) and then reported as warnings, never to the platform.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { BatchQueue } from '../../core/index.js';
import { exportRequestProtobuf } from './otlp-protobuf.js';
import type { SpanAttributes } from './span-inputs.js';

/** OTLP/HTTP encodings (the values of OpenTelemetry's `OTEL_EXPORTER_OTLP_PROTOCOL`). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;

/** An OTLP/HTTP encoding; `http/protobuf` is the protocol's default. */
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** OTLP span kinds (the protocol's numbers, not the API's). */
export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

/** A finished span, as the tracing records it. */
export interface FinishedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: (typeof SPAN_KIND)[keyof typeof SPAN_KIND];
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: SpanAttributes;
  /** Marks the span failed (status ERROR) with this message. */
  readonly error?: string;
}

/** Options of `OtlpExporter`. */
export interface OtlpExporterOptions {
  /** The traces URL (`.../v1/traces`). */
  readonly url: string;
  /** Encoding of the requests (default `http/protobuf`). */
  readonly protocol?: OtlpProtocol;
  readonly headers?: Readonly<Record<string, string>>;
  /** Attributes of the resource (the process) the spans come from: `service.name`, ... */
  readonly resource: SpanAttributes;
  /** The instrumentation scope. */
  readonly scope: { readonly name: string; readonly version: string };
  /** Most time a span waits before its batch is sent (ms). */
  readonly delayMs: number;
  /** Timeout of one export request (ms). */
  readonly timeoutMs: number;
  /** Spans per request (default 512). */
  readonly maxBatch?: number;
  /** Spans kept while exports lag; more are dropped and counted (default 4,096). */
  readonly maxQueue?: number;
  /** First wait before a retry, doubled for the next (default 1,000 ms; a `Retry-After` wins). */
  readonly retryDelayMs?: number;
  /** Told about failed exports and dropped spans. */
  readonly warn: (message: string) => void;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const RETRIES = 2;

/** `{"key":"<name>","value":{` per attribute name: spans repeat the same few dozen names. */
const keyHeads = new Map<string, string>();
const KEY_HEADS_KEPT = 4096;

function keyHead(key: string): string {
  let head = keyHeads.get(key);
  if (head === undefined) {
    head = `{"key":${JSON.stringify(key)},"value":{`;
    if (keyHeads.size < KEY_HEADS_KEPT) keyHeads.set(key, head);
  }
  return head;
}

/** An attribute value as OTLP JSON `AnyValue` fields (non-finite doubles as strings, per the spec). */
function anyValue(v: string | number | boolean): string {
  if (typeof v === 'string') return `"stringValue":${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `"boolValue":${v}`;
  if (Number.isSafeInteger(v)) return `"intValue":${v}`;
  if (Number.isFinite(v)) return `"doubleValue":${v}`;
  return `"doubleValue":"${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'}"`;
}

/** An attribute map as an OTLP JSON `KeyValue` list. */
function attributesJson(attributes: SpanAttributes): string {
  let out = '';
  for (const key in attributes) {
    const v = attributes[key];
    // Absent from the type, possible from JavaScript callers: an unset attribute is left out.
    if (v === undefined) continue;
    if (out !== '') out += ',';
    out += `${keyHead(key)}${anyValue(v)}}}`;
  }
  return `[${out}]`;
}

/** Epoch milliseconds as OTLP's decimal nanoseconds (microsecond precision, no BigInt; not a time: 0). */
function nanos(ms: number): string {
  return Number.isFinite(ms) && ms > 0 ? `"${Math.round(ms * 1000)}000"` : '"0"';
}

function spanJson(s: FinishedSpan): string {
  const parent = s.parentSpanId === undefined ? '' : `"parentSpanId":"${s.parentSpanId}",`;
  const status =
    s.error === undefined ? '{"code":0}' : `{"code":2,"message":${JSON.stringify(s.error)}}`;
  return `{"traceId":"${s.traceId}","spanId":"${s.spanId}",${parent}"name":${JSON.stringify(s.name)},"kind":${s.kind},"startTimeUnixNano":${nanos(s.startMs)},"endTimeUnixNano":${nanos(s.endMs)},"attributes":${attributesJson(s.attributes)},"status":${status}}`;
}

/**
 * The JSON body of one export request (an `ExportTraceServiceRequest`), written directly: ids
 * are hex digits the tracing made, everything else goes through `JSON.stringify`.
 */
export function exportRequestJson(
  spans: readonly FinishedSpan[],
  resource: SpanAttributes,
  scope: { name: string; version: string },
): string {
  return `{"resourceSpans":[{"resource":{"attributes":${attributesJson(resource)}},"scopeSpans":[{"scope":${JSON.stringify(scope)},"spans":[${spans.map(spanJson).join(',')}]}]}]}`;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

/** The span queue and its sender. */
export class OtlpExporter {
  readonly #options: OtlpExporterOptions;
  readonly #maxQueue: number;
  readonly #agent: http.Agent;
  readonly #transport: typeof http | typeof https;
  /** Spans waiting; one request at a time, in order. */
  readonly #queue: BatchQueue<FinishedSpan>;
  #closed = false;
  readonly #json: boolean;

  constructor(options: OtlpExporterOptions) {
    this.#options = options;
    this.#json = options.protocol === 'http/json';
    this.#maxQueue = options.maxQueue ?? 4096;
    const secure = options.url.startsWith('https:');
    this.#transport = secure ? https : http;
    this.#agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 1 });
    this.#queue = new BatchQueue({
      windowMs: options.delayMs,
      maxBatch: options.maxBatch ?? 512,
      maxQueued: this.#maxQueue,
      handle: (batch, dropped) =>
        this.#export(batch, dropped).catch((err: unknown) => {
          options.warn(
            `export of ${batch.length} span(s) to ${options.url} failed: ${String(err)}`,
          );
        }),
    });
  }

  /** Queues a span; it is sent within `delayMs`, or at once when a batch is full. */
  add(span: FinishedSpan): void {
    if (!this.#closed) this.#queue.add(span);
  }

  /** Sends what is queued now and waits for it. */
  flush(): Promise<void> {
    return this.#queue.flush();
  }

  /** Sends what is queued and stops: later spans are dropped. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#agent.destroy();
  }

  async #export(batch: readonly FinishedSpan[], dropped: number): Promise<void> {
    const { url, resource, scope } = this.#options;
    if (dropped > 0)
      this.#options.warn(
        `${dropped} span(s) dropped: more than ${this.#maxQueue} waited for ${url}. Check that the collector keeps up.`,
      );
    // Encoded once: its length is the header, its bytes the body.
    const body = this.#json
      ? Buffer.from(exportRequestJson(batch, resource, scope))
      : exportRequestProtobuf(batch, resource, scope);
    let failure = '';
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      const answer = await this.#post(body);
      if (answer.status !== undefined && answer.status >= 200 && answer.status < 300) return;
      failure = answer.status !== undefined ? `HTTP ${answer.status}` : answer.error;
      const retryable = answer.status === undefined || RETRYABLE.has(answer.status);
      if (!retryable || attempt === RETRIES || this.#closed) break;
      await sleep(
        Math.min(5_000, answer.retryAfterMs ?? (this.#options.retryDelayMs ?? 1000) * 2 ** attempt),
      );
    }
    this.#options.warn(`export of ${batch.length} span(s) to ${url} failed: ${failure}`);
  }

  #post(body: Buffer): Promise<{ status?: number; retryAfterMs?: number; error: string }> {
    return new Promise((resolve) => {
      const req = this.#transport.request(
        this.#options.url,
        {
          method: 'POST',
          agent: this.#agent,
          timeout: this.#options.timeoutMs,
          headers: {
            ...this.#options.headers,
            'content-type': this.#json ? 'application/json' : 'application/x-protobuf',
            'content-length': body.length,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const retryAfter = Number(res.headers['retry-after']);
            resolve({
              status: res.statusCode ?? 0,
              ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
              error: '',
            });
          });
          res.on('error', (err) => resolve({ error: err.message }));
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`no answer within ${this.#options.timeoutMs} ms`)),
      );
      req.on('error', (err) => resolve({ error: err.message }));
      req.end(body);
    });
  }
}
