/**
 * Attempts waiting for a worker: highest priority first, then first come first served. An attempt
 * that leaves the queue without running (canceled, pool closed, workers cannot start) settles here
 * with a result that has no start time.
 */
import { MarketlakeError, messageOf } from '../../core/index.js';
import { PipelinesAttemptKilledError, PipelinesWorkerStartFailedError } from '../errors.js';
import type { PreparedAttempt } from './attempt-request.js';
import {
  attemptErrorFrom,
  emptyUsage,
  type AttemptError,
  type AttemptResult,
  type ExitReason,
} from './attempt-result.js';

/** A queued attempt and how to settle its result. */
export interface QueuedAttempt {
  /** The attempt. */
  readonly prepared: PreparedAttempt;
  /** Settles the caller's result promise. */
  readonly settle: (result: AttemptResult) => void;
}

/** The result of an attempt that never started. */
export function unstartedResult(
  prepared: PreparedAttempt,
  exitReason: ExitReason,
  error: AttemptError,
): AttemptResult {
  const finishedAt = new Date();
  return {
    attemptId: prepared.attemptId,
    runId: prepared.worker.runId,
    asset: prepared.worker.asset,
    partition: prepared.worker.partition,
    attempt: prepared.worker.attempt,
    exitReason,
    error,
    exitCode: undefined,
    enqueuedAt: new Date(prepared.enqueuedAtMs),
    startedAt: undefined,
    finishedAt,
    workerPid: undefined,
    usage: emptyUsage(Math.max(0, (finishedAt.getTime() - prepared.enqueuedAtMs) / 1000)),
    metadata: {},
  };
}

/** The pool's queue. */
export class AttemptQueue {
  private readonly items: QueuedAttempt[] = [];

  /** Attempts waiting. */
  get size(): number {
    return this.items.length;
  }

  /** Whether `attemptId` is waiting. */
  has(attemptId: string): boolean {
    return this.items.some((item) => item.prepared.attemptId === attemptId);
  }

  /** Queues an attempt; the promise settles when it finishes or leaves the queue. */
  push(prepared: PreparedAttempt): Promise<AttemptResult> {
    return new Promise((settle) => {
      // After the last item of equal or higher priority: FIFO within a priority.
      let at = this.items.length;
      while (at > 0 && (this.items[at - 1]?.prepared.priority ?? 0) < prepared.priority) at--;
      this.items.splice(at, 0, { prepared, settle });
    });
  }

  /** The next attempt to run, left in the queue. */
  peek(): QueuedAttempt | undefined {
    return this.items[0];
  }

  /** Removes the next attempt. */
  shift(): QueuedAttempt | undefined {
    return this.items.shift();
  }

  /** Drops a waiting attempt with a KILLED result; false when it is not waiting. */
  cancel(attemptId: string, message = 'The attempt was canceled before it started.'): boolean {
    const at = this.items.findIndex((item) => item.prepared.attemptId === attemptId);
    const item = this.items[at];
    if (item === undefined) return false;
    this.items.splice(at, 1);
    const error = attemptErrorFrom(new PipelinesAttemptKilledError(message));
    item.settle(unstartedResult(item.prepared, 'KILLED', error));
    return true;
  }

  /** Drops every waiting attempt with a KILLED result. */
  cancelAll(message: string): void {
    for (const item of [...this.items]) this.cancel(item.prepared.attemptId, message);
  }

  /** Fails every waiting attempt as CRASHED because no worker could start. */
  failAll(cause: unknown): void {
    const error =
      cause instanceof MarketlakeError
        ? cause
        : new PipelinesWorkerStartFailedError(`No attempt worker could start: ${messageOf(cause)}`);
    for (const item of this.items.splice(0)) {
      item.settle(unstartedResult(item.prepared, 'CRASHED', attemptErrorFrom(error)));
    }
  }
}
