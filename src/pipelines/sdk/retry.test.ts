import { describe, expect, it } from 'vitest';
import { MarketlakeError } from '../../core/index.js';
import { NonRetryableError } from '../errors.js';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableError,
  retryDelayMs,
  retryPolicy,
  shouldRetry,
} from './retry.js';

describe('retry policy', () => {
  it('applies defaults and validates', () => {
    expect(retryPolicy(undefined)).toBe(DEFAULT_RETRY_POLICY);
    expect(retryPolicy({ maxAttempts: 1 })).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 1 });
    expect(() => retryPolicy({ jitter: 2 }, 'asset "a"')).toThrow(/asset "a": retry.jitter is 2/);
    expect(() => retryPolicy({ initialDelayMs: 5_000, maxDelayMs: 1_000 }, 'asset "a"')).toThrow(
      /maxDelayMs is 1000/,
    );
    expect(() => retryPolicy({ backoff: 0.5 })).toThrow(/retry.backoff is 0.5/);
  });

  it('backs off exponentially up to the cap, with seeded jitter', () => {
    const policy = retryPolicy({ initialDelayMs: 1_000, backoff: 2, maxDelayMs: 5_000, jitter: 0 });
    expect([2, 3, 4, 5, 6].map((n) => retryDelayMs(policy, n))).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
    const jittery = retryPolicy({ initialDelayMs: 1_000, jitter: 0.5 });
    expect(retryDelayMs(jittery, 2, () => 0)).toBe(1_000);
    expect(retryDelayMs(jittery, 2, () => 1)).toBe(500);
    expect(retryDelayMs(jittery, 3, () => 0.5)).toBe(1_500);
  });

  it('retries ordinary errors but not NonRetryableError or non-retryable marketlake errors', () => {
    class BadData extends MarketlakeError {
      readonly code = 'LAKE_BAD_DATA';
    }
    class Conflict extends MarketlakeError {
      readonly code = 'LAKE_COMMIT_CONFLICT';
      override readonly retryable = true;
    }
    const stop = new NonRetryableError('the file is malformed');
    expect(stop.code).toBe('PIPELINES_NON_RETRYABLE');
    expect(stop.retryable).toBe(false);
    expect(stop).toBeInstanceOf(MarketlakeError);
    expect(isRetryableError(stop)).toBe(false);
    // Recognized by shape too: a copy of the class from another module instance.
    expect(
      isRetryableError({ code: 'PIPELINES_NON_RETRYABLE', retryable: false, message: 'x' }),
    ).toBe(false);
    expect(isRetryableError(new BadData('x'))).toBe(false);
    expect(isRetryableError(new Conflict('x'))).toBe(true);
    expect(isRetryableError(new TypeError('fetch failed'))).toBe(true);
    expect(isRetryableError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryableError('a string')).toBe(true);
    const policy = retryPolicy({ maxAttempts: 2 });
    expect(shouldRetry(policy, 1, new Error('x'))).toBe(true);
    expect(shouldRetry(policy, 2, new Error('x'))).toBe(false);
    expect(shouldRetry(policy, 1, stop)).toBe(false);
  });
});
