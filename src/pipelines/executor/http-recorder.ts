/**
 * Worker side: records the outbound HTTP requests an attempt makes through the platform's HTTP
 * paths (connectors' HttpClient, `ctx.fetch`; see core/outbound-http.ts) so the pool can hand them
 * to tracing with the attempt's result. A worker runs one attempt at a time, so every request
 * reported between `start` and `stop` is the attempt's. Bounded: a connector paging through
 * thousands of requests keeps the first `limit` and counts the rest.
 */
import { observeOutboundHttp, type OutboundHttpRequest } from '../../core/index.js';
import type { AttemptHttpRequests } from './worker-protocol.js';

/** Requests kept per attempt by default. */
export const MAX_HTTP_REQUESTS_PER_ATTEMPT = 256;

/** One attempt's requests, from `start()` to `stop()`. */
export class HttpRequestRecorder {
  private readonly requests: OutboundHttpRequest[] = [];
  private unrecorded = 0;
  private unsubscribe: (() => void) | undefined;

  /**
   * @param redact masks the attempt's secret values (a path or message could carry one).
   * @param limit requests kept; later ones are only counted.
   */
  constructor(
    private readonly redact: (text: string) => string,
    private readonly limit = MAX_HTTP_REQUESTS_PER_ATTEMPT,
  ) {}

  /** Starts recording. */
  start(): void {
    this.unsubscribe ??= observeOutboundHttp((request) => this.add(request));
  }

  /** Stops recording; what was recorded, or undefined when the attempt made no request. */
  stop(): AttemptHttpRequests | undefined {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.requests.length === 0 && this.unrecorded === 0) return undefined;
    return { requests: this.requests, unrecorded: this.unrecorded };
  }

  private add(request: OutboundHttpRequest): void {
    // A subscriber that throws becomes an uncaught exception in the worker: never throw here.
    try {
      if (this.requests.length >= this.limit) {
        this.unrecorded++;
        return;
      }
      this.requests.push({
        ...request,
        host: this.redact(request.host),
        path: this.redact(request.path),
        ...(request.error !== undefined ? { error: this.redact(request.error) } : {}),
      });
    } catch {
      this.unrecorded++;
    }
  }
}
