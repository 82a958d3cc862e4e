/**
 * Paces one connector's requests: a minimum interval between requests (the provider's published
 * limit) and pauses the provider asks for (`Retry-After`, `Remaining-Req: sec=0`, used weight).
 */

/** Waits `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** What `acquire` waited for. */
export interface AcquireResult {
  /** Time spent because of pacing (minimum interval). */
  pacedMs: number;
  /** Time spent because the provider asked for a pause. */
  pausedMs: number;
  /** Why the provider asked for the pause. */
  reason?: string;
}

/** Request pacing for one connector run (requests are sequential). */
export class RateLimiter {
  private lastStart = Number.NEGATIVE_INFINITY;
  private pausedUntil = 0;
  private pauseReason: string | undefined;

  constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Holds the next request until `untilMs` (epoch ms); the longest pause wins. */
  pause(untilMs: number, reason: string): void {
    if (untilMs > this.pausedUntil) {
      this.pausedUntil = untilMs;
      this.pauseReason = reason;
    }
  }

  /** Waits until the next request may start, then records its start. */
  async acquire(signal?: AbortSignal): Promise<AcquireResult> {
    const start = this.now();
    const pausedMs = Math.max(0, this.pausedUntil - start);
    const pacedMs = Math.max(0, this.lastStart + this.minIntervalMs - start - pausedMs);
    const reason = pausedMs > 0 ? this.pauseReason : undefined;
    if (pausedMs + pacedMs > 0) await sleep(pausedMs + pacedMs, signal);
    this.lastStart = this.now();
    return { pacedMs, pausedMs, reason };
  }
}
