/**
 * Whether this worker's recent attempts are short, and so how many to hold beyond its slots. A
 * fan-out of no-op or millisecond tasks is bound by the store round trips around each attempt,
 * so the worker then claims more at once: enough to keep its slots busy while a report-and-claim
 * transaction is out, which on a shared PostgreSQL queue waits on other workers' transactions.
 * With long attempts it claims only what its slots can start soon, leaving the rest of the queue
 * to other workers; with short ones it holds about one transaction's worth of work.
 */

/** Attempts shorter than this, on a moving average, count as short. */
export const SHORT_ATTEMPT_SECONDS = 0.05;
/** Attempts held per slot beyond it while attempts are short, at least and at most. */
export const SHORT_PREFETCH_PER_SLOT = { min: 4, max: 32 } as const;
// Weight of the newest figure in the moving averages: about the last ten count.
const ALPHA = 0.2;
// An attempt's measured wall time leaves out the executor's own work around it.
const MIN_ATTEMPT_SECONDS = 0.001;

function average(previous: number | undefined, value: number): number {
  return previous === undefined ? value : previous + ALPHA * (value - previous);
}

/** Moving averages of attempt wall times and of the store transactions that report them. */
export class ShortAttempts {
  #averageSeconds: number | undefined;
  #storeSeconds: number | undefined;

  /** Adds an ended attempt's wall time. */
  record(wallSeconds: number): void {
    if (!Number.isFinite(wallSeconds) || wallSeconds < 0) return;
    this.#averageSeconds = average(this.#averageSeconds, wallSeconds);
  }

  /** Adds the duration of a transaction that reported attempts (and claimed the next ones). */
  recordStore(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.#storeSeconds = average(this.#storeSeconds, seconds);
  }

  /** True once attempts have ended and their recent average is under `SHORT_ATTEMPT_SECONDS`. */
  now(): boolean {
    return this.#averageSeconds !== undefined && this.#averageSeconds < SHORT_ATTEMPT_SECONDS;
  }

  /**
   * Attempts to hold per slot beyond the slot's own: 1 while attempts are long; while they are
   * short, as many as a slot runs during one report transaction, within `SHORT_PREFETCH_PER_SLOT`.
   */
  prefetchPerSlot(): number {
    if (!this.now()) return 1;
    const attempt = Math.max(this.#averageSeconds ?? 0, MIN_ATTEMPT_SECONDS);
    const cover = Math.ceil((this.#storeSeconds ?? 0) / attempt);
    return Math.min(SHORT_PREFETCH_PER_SLOT.max, Math.max(SHORT_PREFETCH_PER_SLOT.min, cover));
  }
}
