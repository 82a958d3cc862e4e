/**
 * Retry policies: how many attempts a task gets and how long to wait between them
 * (exponential backoff with jitter, capped), plus which errors deserve another attempt.
 */
import { invalid, rejectUnknownKeys, requireObject, show } from './validate.js';

/** A complete retry policy, as stored on an asset after defaults are applied. */
export interface RetryPolicy {
  /** Attempts in total, the first included (1 = never retry). */
  readonly maxAttempts: number;
  /** Wait before the second attempt. */
  readonly initialDelayMs: number;
  /** Factor applied to the wait after each further failure (1 = constant). */
  readonly backoff: number;
  /** Upper bound of any wait. */
  readonly maxDelayMs: number;
  /** Share of each wait that is randomized, 0..1: spreads retries of many tasks hitting one API. */
  readonly jitter: number;
}

/** What an asset may write for `retry`: any subset of the policy. */
export type RetryOptions = Partial<RetryPolicy>;

/**
 * Defaults: three attempts, 1 s then 2 s apart. Market-data sources fail transiently often
 * enough that no retry is the wrong default; a task that must not repeat throws NonRetryableError.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 1_000,
  backoff: 2,
  maxDelayMs: 60_000,
  jitter: 0.1,
});

const KEYS = ['maxAttempts', 'initialDelayMs', 'backoff', 'maxDelayMs', 'jitter'] as const;

/** Applies defaults to `options` and validates them; `what` names the owner in errors. */
export function retryPolicy(options: RetryOptions | undefined, what = 'retry policy'): RetryPolicy {
  if (options === undefined) return DEFAULT_RETRY_POLICY;
  const opts = requireObject(`${what} retry`, options, '{ maxAttempts: 3, initialDelayMs: 1000 }');
  rejectUnknownKeys(what, opts, KEYS);
  const policy = { ...DEFAULT_RETRY_POLICY, ...(opts as RetryOptions) };
  const { maxAttempts, initialDelayMs, backoff, maxDelayMs, jitter } = policy;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    invalid(
      what,
      'retry.maxAttempts',
      `is ${show(maxAttempts)}`,
      'Use a whole number from 1 (no retry) to 100.',
    );
  }
  if (!Number.isSafeInteger(initialDelayMs) || initialDelayMs < 0) {
    invalid(
      what,
      'retry.initialDelayMs',
      `is ${show(initialDelayMs)}`,
      'Use whole milliseconds >= 0, e.g. 1000.',
    );
  }
  if (typeof backoff !== 'number' || !Number.isFinite(backoff) || backoff < 1) {
    invalid(
      what,
      'retry.backoff',
      `is ${show(backoff)}`,
      'Use a multiplier >= 1 (1 keeps the delay constant, 2 doubles it).',
    );
  }
  if (!Number.isSafeInteger(maxDelayMs) || maxDelayMs < initialDelayMs) {
    invalid(
      what,
      'retry.maxDelayMs',
      `is ${show(maxDelayMs)}`,
      `Use whole milliseconds >= initialDelayMs (${initialDelayMs}).`,
    );
  }
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    invalid(
      what,
      'retry.jitter',
      `is ${show(jitter)}`,
      'Use a share from 0 (exact delays) to 1 (fully random).',
    );
  }
  return Object.freeze(policy);
}

/**
 * Wait before attempt `nextAttempt` (2 = the first retry). The jittered share is drawn from
 * `random` (0..1), so tests pass a seeded or constant source.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  nextAttempt: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, nextAttempt - 2);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.backoff ** exponent);
  return Math.round(base * (1 - policy.jitter * random()));
}

/**
 * Whether an error deserves another attempt: errors are retryable unless they say otherwise.
 * Marketlake errors (any copy of the class, recognized by shape) carry `retryable`; among them
 * `NonRetryableError` and bad-data errors from the lake are not retryable.
 */
export function isRetryableError(error: unknown): boolean {
  if (typeof error === 'object' && error !== null) {
    const { code, retryable } = error as { code?: unknown; retryable?: unknown };
    if (typeof code === 'string' && typeof retryable === 'boolean') return retryable;
  }
  return true;
}

/** Whether a failed attempt number `attempt` should be followed by another under `policy`. */
export function shouldRetry(policy: RetryPolicy, attempt: number, error: unknown): boolean {
  return attempt < policy.maxAttempts && isRetryableError(error);
}
