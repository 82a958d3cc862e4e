/**
 * `ctx.fetch`: the global fetch with retries on what is usually transient (network errors,
 * per-request timeouts, HTTP 429 and 5xx), exponential backoff with jitter, and `Retry-After`
 * honoured. The attempt's abort signal stops everything at once.
 */
import { messageOf, outboundErrorType, reportOutboundHttp } from '../../core/index.js';
import type { FetchRetryOptions } from '../sdk/asset-context.js';

/** How `fetchWithRetry` waits and whom it tells; tests replace the clock and the fetch. */
export interface FetchRetrySettings {
  /** Aborts every request and wait (the attempt's signal). */
  readonly signal?: AbortSignal;
  /** Wait before the first retry (default 500 ms), doubled each time. */
  readonly baseDelayMs?: number;
  /** Upper bound of any wait, `Retry-After` included (default 30 s). */
  readonly maxDelayMs?: number;
  /** Told before each retry. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** Replaces the global fetch. */
  readonly fetch?: typeof globalThis.fetch;
  /** Replaces the wait. */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** Replaces Math.random for the jitter. */
  readonly random?: () => number;
}

const DEFAULT_ATTEMPTS = 3;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const done = (): void => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** Milliseconds a `Retry-After` header asks for (delta seconds or an HTTP date), if valid. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function retryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Fetches `url`, retrying transient failures; returns the last response, whatever its status. */
export async function fetchWithRetry(
  url: string | URL,
  options: FetchRetryOptions = {},
  settings: FetchRetrySettings = {},
): Promise<Response> {
  const { attempts = DEFAULT_ATTEMPTS, timeoutMs, ...init } = options;
  const doFetch = settings.fetch ?? globalThis.fetch;
  const wait = settings.sleep ?? sleep;
  const random = settings.random ?? Math.random;
  const baseDelayMs = settings.baseDelayMs ?? 500;
  const maxDelayMs = settings.maxDelayMs ?? 30_000;
  const outer = [settings.signal, init.signal ?? undefined].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  const total = Math.max(1, Math.floor(attempts));
  for (let attempt = 1; ; attempt++) {
    const signals = timeoutMs === undefined ? outer : [...outer, AbortSignal.timeout(timeoutMs)];
    const signal = signals.length === 0 ? undefined : AbortSignal.any(signals);
    let reason: string;
    let hinted: number | undefined;
    // For traces (see core/outbound-http.ts); the end is when the headers arrived.
    const tried = { method: init.method ?? 'GET', startMs: Date.now(), resendCount: attempt - 1 };
    try {
      const response = await doFetch(url, { ...init, signal });
      const { status } = response;
      reportOutboundHttp(url, {
        ...tried,
        status,
        endMs: Date.now(),
        ...(status >= 400 ? { errorType: String(status) } : {}),
      });
      if (!retryableStatus(response.status) || attempt >= total) return response;
      reason = `HTTP ${response.status}`;
      hinted = retryAfterMs(response.headers.get('retry-after'));
      await response.body?.cancel().catch(() => undefined);
    } catch (error) {
      const canceled = outer.some((s) => s.aborted);
      reportOutboundHttp(url, {
        ...tried,
        endMs: Date.now(),
        errorType: canceled ? 'canceled' : outboundErrorType(error),
        error: messageOf(error),
      });
      // The caller's or the attempt's abort ends the fetch; a per-request timeout is retried.
      if (canceled || attempt >= total) throw error;
      reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    const backoff = baseDelayMs * 2 ** (attempt - 1) * (0.75 + 0.5 * random());
    const delayMs = Math.round(Math.min(maxDelayMs, hinted ?? backoff));
    settings.onRetry?.({ attempt, delayMs, reason });
    await wait(delayMs, outer.length === 0 ? undefined : AbortSignal.any(outer));
  }
}
