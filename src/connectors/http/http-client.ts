import { DelegateBackoff, handleWhen, retry } from 'cockatiel';
import {
  MarketlakeError,
  messageOf,
  outboundErrorType,
  reportOutboundHttp,
  version,
} from '../../core/index.js';
import {
  ConnectorHttpError,
  ConnectorNetworkError,
  ConnectorRateLimitedError,
  ConnectorTimeoutError,
} from '../errors.js';
import { redactText, redactUrl } from '../secrets.js';
import {
  parseCsvBody,
  parseJsonBody,
  rejectHtml,
  snippet,
  type CsvBodyOptions,
} from './payload.js';
import { RateLimiter } from './rate-limiter.js';

/** Observability hooks of a connector run (metrics, logs); URLs never carry secrets. */
export interface ConnectorListener {
  /** After each HTTP request (status null when no response arrived). */
  onRequest?(event: {
    source: string;
    url: string;
    status: number | null;
    durationMs: number;
    attempt: number;
    error?: string;
  }): void;
  /** Before each retry of a failed request. */
  onRetry?(event: {
    source: string;
    url: string;
    attempt: number;
    delayMs: number;
    code: string;
    reason: string;
  }): void;
  /** When a request waits because the provider asked (429/418, `Retry-After`, quota headers). */
  onRateLimitWait?(event: { source: string; waitMs: number; reason: string }): void;
}

/** Settings of a connector's HTTP client. */
export interface HttpClientOptions {
  /** Connector name, used in messages and listener events. */
  source: string;
  /** Per-request timeout, body included (default 30 s). */
  timeoutMs?: number;
  /** Attempts per request, the first included (default 5). */
  maxAttempts?: number;
  /** First backoff delay, doubled per retry with jitter (default 500 ms). */
  baseDelayMs?: number;
  /** Largest backoff delay (default 30 s). */
  maxDelayMs?: number;
  /** A provider asking for a longer wait than this fails the request instead (default 120 s). */
  maxRetryAfterMs?: number;
  /** Minimum time between request starts (the provider's published rate). */
  minIntervalMs?: number;
  /** Default quota reader for requests that set none (see `RequestOptions.quota`). */
  quota?: RequestOptions['quota'];
  /** Headers sent with every request (a User-Agent is added when absent). */
  headers?: Record<string, string>;
  /** Secret values to mask wherever a URL or body excerpt is reported. */
  secretValues?: readonly string[];
  listener?: ConnectorListener;
  /** Aborts requests and waits (a run's cancellation). */
  signal?: AbortSignal;
  /** Replaces the global fetch (tests). */
  fetch?: typeof globalThis.fetch;
  /** Replaces Math.random for the backoff jitter. */
  random?: () => number;
}

/** Options of one request. */
export interface RequestOptions {
  headers?: Record<string, string>;
  /** Error statuses returned to the caller instead of raised (e.g. ECB's 404 for "no data"). */
  acceptStatuses?: readonly number[];
  /** Reads quota headers of a successful response; returns a pause (ms) before the next request. */
  quota?: (headers: Headers) => { waitMs: number; reason: string } | undefined;
}

/** A response whose status and body passed the checks. */
export interface HttpResponse {
  /** The URL with secrets redacted. */
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

/** Counters of one client (one connector run). */
export interface HttpStats {
  requests: number;
  retries: number;
  rateLimitWaits: number;
  rateLimitWaitMs: number;
}

/** Milliseconds a `Retry-After` header asks for (delta seconds or an HTTP date), if valid. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Waits the provider asked for, by error; errors in `final` are not retried in-process. */
const hints = new WeakMap<Error, number>();
const final = new WeakSet<Error>();

/**
 * HTTP for connectors: pacing, timeouts, retries with exponential backoff (cockatiel) on what is
 * transient (network errors, timeouts, 5xx, 429/418 honouring `Retry-After`, cut-off bodies),
 * payload checks, and listener events with secrets redacted.
 */
export class HttpClient {
  /** Counters since the client was made. */
  readonly stats: HttpStats = { requests: 0, retries: 0, rateLimitWaits: 0, rateLimitWaitMs: 0 };
  private readonly limiter: RateLimiter;
  private readonly opts: Required<
    Pick<
      HttpClientOptions,
      'timeoutMs' | 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs'
    >
  >;

  constructor(private readonly options: HttpClientOptions) {
    this.limiter = new RateLimiter(options.minIntervalMs ?? 0);
    this.opts = {
      timeoutMs: options.timeoutMs ?? 30_000,
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 120_000,
    };
  }

  /** The source name this client reports under. */
  get source(): string {
    return this.options.source;
  }

  /** Redacts secrets from a URL or text for messages. */
  redact(text: string): string {
    return redactUrl(text, this.options.secretValues);
  }

  /** GET returning the checked body as text (not HTML). */
  async getText(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    return this.request(url, options, (res) => {
      rejectHtml(this.source, res.url, res.body, 'data');
      return res;
    });
  }

  /** GET parsing JSON; a cut-off body is retried. */
  async getJson(
    url: string,
    options: RequestOptions = {},
  ): Promise<{ response: HttpResponse; data: unknown }> {
    return this.request(url, options, (response) => ({
      response,
      data:
        response.status >= 400
          ? undefined
          : parseJsonBody(this.source, response.url, response.body),
    }));
  }

  /** GET parsing CSV with a header; a cut-off body is retried. */
  async getCsv(
    url: string,
    options: RequestOptions & CsvBodyOptions = {},
  ): Promise<{ response: HttpResponse; rows: Record<string, string>[] }> {
    return this.request(url, options, (response) => ({
      response,
      rows:
        response.status >= 400
          ? []
          : parseCsvBody(this.source, response.url, response.body, options),
    }));
  }

  /** GET with retries; `parse` runs inside the retry loop so a cut-off payload is fetched again. */
  async request<T>(
    url: string,
    options: RequestOptions,
    parse: (response: HttpResponse) => T,
  ): Promise<T> {
    const { listener } = this.options;
    const safeUrl = this.redact(url);
    const policy = retry(
      handleWhen((err) => err instanceof MarketlakeError && err.retryable && !final.has(err)),
      {
        maxAttempts: this.opts.maxAttempts - 1,
        backoff: new DelegateBackoff((ctx) =>
          this.delayFor(ctx.attempt, 'error' in ctx.result ? ctx.result.error : undefined),
        ),
      },
    );
    policy.onRetry((event) => {
      this.stats.retries++;
      const err = 'error' in event ? event.error : undefined;
      listener?.onRetry?.({
        source: this.source,
        url: safeUrl,
        attempt: event.attempt,
        delayMs: event.delay,
        code: err instanceof MarketlakeError ? err.code : 'UNKNOWN',
        reason: err ? messageOf(err) : 'retry',
      });
      if (err instanceof ConnectorRateLimitedError) {
        this.stats.rateLimitWaits++;
        this.stats.rateLimitWaitMs += event.delay;
        listener?.onRateLimitWait?.({
          source: this.source,
          waitMs: event.delay,
          reason: err ? messageOf(err) : 'rate limited',
        });
      }
    });
    let attempt = 0;
    return policy.execute(async () => {
      attempt++;
      const response = await this.once(url, safeUrl, options, attempt);
      return parse(response);
    }, this.options.signal);
  }

  private delayFor(attempt: number, err: Error | undefined): number {
    const hinted = err ? hints.get(err) : undefined;
    if (hinted !== undefined) return hinted;
    const exp = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 1));
    const random = this.options.random ?? Math.random;
    return Math.round(exp / 2 + (exp / 2) * random());
  }

  private async once(
    url: string,
    safeUrl: string,
    options: RequestOptions,
    attempt: number,
  ): Promise<HttpResponse> {
    const { listener, signal } = this.options;
    const waited = await this.limiter.acquire(signal);
    if (waited.pausedMs > 0) {
      this.stats.rateLimitWaits++;
      this.stats.rateLimitWaitMs += waited.pausedMs;
      listener?.onRateLimitWait?.({
        source: this.source,
        waitMs: waited.pausedMs,
        reason: waited.reason ?? 'provider quota',
      });
    }
    const headers = {
      'User-Agent': `marketlake/${version}`,
      ...this.options.headers,
      ...options.headers,
    };
    const started = performance.now();
    const startMs = Date.now();
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let status: number | null = null;
    let reported = false;
    // For traces (see core/outbound-http.ts): once per try, whatever its outcome.
    const report = (failure?: { type: string; message: string }): void => {
      if (reported) return;
      reported = true;
      const errorType =
        failure?.type ?? (status !== null && status >= 400 ? String(status) : undefined);
      reportOutboundHttp(safeUrl, {
        method: 'GET',
        ...(status !== null ? { status } : {}),
        startMs,
        endMs: Date.now(),
        resendCount: attempt - 1,
        source: this.source,
        ...(errorType !== undefined ? { errorType } : {}),
        ...(failure !== undefined ? { error: failure.message } : {}),
      });
    };
    this.stats.requests++;
    try {
      const res = await (this.options.fetch ?? globalThis.fetch)(url, {
        headers,
        signal: combined,
      });
      status = res.status;
      const body = await res.text();
      const response: HttpResponse = {
        url: safeUrl,
        status: res.status,
        headers: res.headers,
        body,
      };
      listener?.onRequest?.({
        source: this.source,
        url: safeUrl,
        status,
        durationMs: performance.now() - started,
        attempt,
      });
      report();
      this.check(response, options);
      const quota = (options.quota ?? this.options.quota)?.(res.headers);
      if (quota && quota.waitMs > 0) this.limiter.pause(Date.now() + quota.waitMs, quota.reason);
      return response;
    } catch (err) {
      if (err instanceof MarketlakeError) throw err;
      const timedOut = timeout.aborted;
      const message = messageOf(err);
      report({
        type: signal?.aborted ? 'canceled' : timedOut ? 'timeout' : outboundErrorType(err),
        message: this.redact(message),
      });
      if (signal?.aborted) throw signal.reason as Error;
      listener?.onRequest?.({
        source: this.source,
        url: safeUrl,
        status,
        durationMs: performance.now() - started,
        attempt,
        error: timedOut ? 'timeout' : this.redact(message),
      });
      if (timedOut)
        throw new ConnectorTimeoutError(
          `${this.source}: ${safeUrl} did not answer within ${this.opts.timeoutMs} ms (attempt ${attempt}). The provider is slow or unreachable; raise timeoutMs if it is just slow.`,
          {
            cause: err,
            details: { source: this.source, url: safeUrl, timeoutMs: this.opts.timeoutMs },
          },
        );
      const cause =
        err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      throw new ConnectorNetworkError(
        `${this.source}: ${safeUrl} failed ${status === null ? 'before a response arrived' : `while reading the ${status} response body`} (${this.redact(message + cause)}). Check the network path to the provider and its base URL.`,
        { cause: err, details: { source: this.source, url: safeUrl, status } },
      );
    }
  }

  private check(res: HttpResponse, options: RequestOptions): void {
    const { source } = this;
    const excerpt = redactText(snippet(res.body), this.options.secretValues ?? []);
    if (res.status === 429 || res.status === 418) {
      const wait = retryAfterMs(res.headers.get('retry-after'));
      const tooLong = wait !== undefined && wait > this.opts.maxRetryAfterMs;
      const err = new ConnectorRateLimitedError(
        `${source}: ${res.url} answered ${res.status} (${res.status === 418 ? 'IP banned for ignoring rate limits' : 'too many requests'})${wait === undefined ? '' : `, Retry-After ${Math.round(wait / 1000)} s`}${tooLong ? `, longer than maxRetryAfterMs ${this.opts.maxRetryAfterMs} ms, so the run stops; run it again later` : ''}. Lower the request rate (minIntervalMs) or fetch fewer symbols per run.`,
        { details: { source, url: res.url, status: res.status, retryAfterMs: wait } },
      );
      if (tooLong) final.add(err);
      if (wait !== undefined) hints.set(err, wait);
      throw err;
    }
    if (res.status >= 400 && options.acceptStatuses?.includes(res.status)) return;
    if (res.status >= 500) {
      const err = new ConnectorHttpError(
        `${source}: ${res.url} answered ${res.status} ("${excerpt}"). The provider has a transient problem; the request is retried.`,
        { retryable: true, details: { source, url: res.url, status: res.status } },
      );
      const wait = retryAfterMs(res.headers.get('retry-after'));
      if (wait !== undefined && wait <= this.opts.maxRetryAfterMs) hints.set(err, wait);
      throw err;
    }
    if (res.status >= 400) {
      const hint =
        res.status === 401 || res.status === 403
          ? ' Check the API key secret (marketlake sources shows whether it is set).'
          : res.status === 404
            ? ' Check the symbol or series id and the base URL.'
            : ' Check the request parameters.';
      throw new ConnectorHttpError(
        `${source}: ${res.url} answered ${res.status} ("${excerpt}").${hint}`,
        {
          details: { source, url: res.url, status: res.status },
        },
      );
    }
  }
}
