/**
 * Whether this worker's recent attempts are short. A fan-out of no-op or millisecond tasks is
 * bound by the store round trips around each attempt, so the worker then claims more at once;
 * with long attempts it claims only what its slots can start soon, leaving the rest of the
 * queue to other workers.
 */

/** Attempts shorter than this, on a moving average, count as short. */
export const SHORT_ATTEMPT_SECONDS = 0.05;
// Weight of the newest attempt in the moving average: about the last ten attempts count.
const ALPHA = 0.2;

/** A moving average of attempt wall times. */
export class ShortAttempts {
  #averageSeconds: number | undefined;

  /** Adds an ended attempt's wall time. */
  record(wallSeconds: number): void {
    if (!Number.isFinite(wallSeconds) || wallSeconds < 0) return;
    this.#averageSeconds =
      this.#averageSeconds === undefined
        ? wallSeconds
        : this.#averageSeconds + ALPHA * (wallSeconds - this.#averageSeconds);
  }

  /** True once attempts have ended and their recent average is under `SHORT_ATTEMPT_SECONDS`. */
  now(): boolean {
    return this.#averageSeconds !== undefined && this.#averageSeconds < SHORT_ATTEMPT_SECONDS;
  }
}
