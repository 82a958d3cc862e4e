import { ObserveInvalidMetricValueError } from '../errors.js';

/**
 * Checks of what callers pass to the metrics facade. A bad value is a bug at the call site, so it
 * fails loudly there instead of turning into a series Prometheus cannot use.
 */

const MAX_LABEL_LENGTH = 200;

/** A label value: a non-empty string of at most 200 characters. */
export function labelValue(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LABEL_LENGTH) {
    throw new ObserveInvalidMetricValueError(
      `${where}: ${field} must be a non-empty string of at most ${MAX_LABEL_LENGTH} characters ` +
        `(got ${JSON.stringify(value)}); pass a bounded name such as an asset, never a run id.`,
      { details: { where, field } },
    );
  }
  return value;
}

/**
 * A duration in seconds. Negative becomes 0: in cluster mode the clocks of the machine that
 * queued an attempt and the one that ran it may differ a little, which is not the caller's bug.
 */
export function seconds(where: string, field: string, value: unknown): number {
  return Math.max(0, finite(where, field, value));
}

/** A count or amount that cannot be negative (rows, bytes, CPU seconds). */
export function nonNegative(where: string, field: string, value: unknown): number {
  const n = finite(where, field, value);
  if (n < 0) {
    throw new ObserveInvalidMetricValueError(`${where}: ${field} must be >= 0 (got ${n}).`, {
      details: { where, field, value: n },
    });
  }
  return n;
}

/** An HTTP status code: an integer from 100 to 599. */
export function httpStatusCode(where: string, field: string, value: unknown): number {
  const n = finite(where, field, value);
  if (!Number.isInteger(n) || n < 100 || n > 599) {
    throw new ObserveInvalidMetricValueError(
      `${where}: ${field} must be an HTTP status code from 100 to 599 (got ${n}).`,
      { details: { where, field, value: n } },
    );
  }
  return n;
}

function finite(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ObserveInvalidMetricValueError(
      `${where}: ${field} must be a finite number (got ${String(value)}).`,
      { details: { where, field, value: String(value) } },
    );
  }
  return value;
}
