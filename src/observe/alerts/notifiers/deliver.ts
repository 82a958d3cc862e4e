/**
 * Delivers a message to one notifier with retries (cockatiel: exponential backoff between
 * attempts, each attempt under a time limit), reporting every failed attempt as it happens so the
 * store shows a delivery that is still retrying, and the final outcome either way.
 */
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { messageOf } from '../../../core/index.js';
import type { DeliverySettings } from '../alert-settings.js';
import { ObserveNotifierDeliveryError } from '../../errors.js';
import type { AlertMessage, Notifier } from './notifier.js';

/** How a delivery ended. */
export interface DeliveryOutcome {
  readonly notifier: string;
  readonly status: 'delivered' | 'failed';
  readonly attempts: number;
  /** The last attempt's error, when any attempt failed. */
  readonly error: string | undefined;
}

/** Sends `message` through `notifier`, retrying retryable failures. */
export async function deliverWithRetry(
  notifier: Notifier,
  message: AlertMessage,
  settings: DeliverySettings,
  onAttemptFailed?: (attempt: number, error: string) => void | Promise<void>,
  /** Aborts the attempt in flight and the retries left (the platform is stopping). */
  stop?: AbortSignal,
): Promise<DeliveryOutcome> {
  const policy = retry(
    handleWhen((err) => !(err instanceof ObserveNotifierDeliveryError) || err.retryable),
    {
      maxAttempts: settings.deliveryAttempts - 1,
      backoff: new ExponentialBackoff({
        initialDelay: settings.retryInitialDelayMs,
        maxDelay: settings.retryMaxDelayMs,
      }),
    },
  );
  let attempts = 0;
  let lastError: string | undefined;
  try {
    await policy.execute(async () => {
      attempts += 1;
      const timeout = AbortSignal.timeout(settings.deliveryTimeoutMs);
      try {
        await notifier.send(message, stop ? AbortSignal.any([stop, timeout]) : timeout);
      } catch (err) {
        lastError = messageOf(err);
        await onAttemptFailed?.(attempts, lastError);
        throw err;
      }
    }, stop);
    return { notifier: notifier.name, status: 'delivered', attempts, error: lastError };
  } catch (err) {
    return {
      notifier: notifier.name,
      status: 'failed',
      attempts,
      error: lastError ?? messageOf(err),
    };
  }
}
