/**
 * What the runtime tells the rest of the platform (metrics, checks, alerts) as attempts run. The
 * pipelines domain defines the shape; the platform plugs observers in without the runtime knowing
 * them.
 */
import type { AttemptResult } from '../executor/index.js';
import type { AttemptOutcome, ClaimedAttempt } from '../runs/index.js';
import type { AssetCheckOutcome } from './asset-check-runner.js';

/** An attempt that ended, as reported to the store. */
export interface AttemptReport {
  readonly claim: ClaimedAttempt;
  /** The executor's result; undefined when the attempt never started. */
  readonly result: AttemptResult | undefined;
  /** What the store made of it; undefined when recording failed (lease lost). */
  outcome: AttemptOutcome | undefined;
}

/** Optional observers and gates of the runtime. */
export interface RuntimeHooks {
  /** An attempt started on this worker. */
  attemptStarted?(claim: ClaimedAttempt): void;
  /**
   * Runs after a successful attempt, before it is recorded (asset checks); a string fails the
   * attempt without retry with that message (a blocking check failed).
   */
  afterSuccess?(claim: ClaimedAttempt, result: AttemptResult): Promise<string | undefined>;
  /** An attempt ended and was recorded. */
  attemptFinished?(report: AttemptReport): void;
  /** A run ended with the report of its last attempt on this worker. */
  runFinished?(run: { runId: string; kind: string; job: string | null; state: string }): void;
  /** This worker renewed its leases. */
  heartbeat?(): void;
  /** An asset check ran after a successful attempt. */
  checkFinished?(asset: string, outcome: AssetCheckOutcome, attemptId: string): void;
  /** A schedule fired (lag from the tick to the run's creation). */
  scheduleTicked?(schedule: string, lagSeconds: number): void;
}

/** One set of hooks calling each of `all` in order (the first blocking `afterSuccess` wins). */
export function combineHooks(...all: readonly (RuntimeHooks | undefined)[]): RuntimeHooks {
  const hooks = all.filter((h): h is RuntimeHooks => h !== undefined);
  return {
    attemptStarted: (claim) => hooks.forEach((h) => h.attemptStarted?.(claim)),
    afterSuccess: async (claim, result) => {
      for (const h of hooks) {
        const blocked = await h.afterSuccess?.(claim, result);
        if (blocked !== undefined) return blocked;
      }
      return undefined;
    },
    attemptFinished: (report) => hooks.forEach((h) => h.attemptFinished?.(report)),
    runFinished: (run) => hooks.forEach((h) => h.runFinished?.(run)),
    heartbeat: () => hooks.forEach((h) => h.heartbeat?.()),
    checkFinished: (asset, outcome, attemptId) =>
      hooks.forEach((h) => h.checkFinished?.(asset, outcome, attemptId)),
    scheduleTicked: (schedule, lag) => hooks.forEach((h) => h.scheduleTicked?.(schedule, lag)),
  };
}
