/** Options of the run store, their defaults and their validation. */
import { PipelinesRunArgumentInvalidError } from '../errors.js';
import type { RunStoreConfig } from './run-context.js';

/** Options of `RunStore`. */
export interface RunStoreOptions {
  /** Source of "now" in epoch ms (default `Date.now`); tests pin it. */
  clock?: () => number;
  /** Source of retry jitter, 0..1 (default `Math.random`). */
  random?: () => number;
  /** Lease of a claimed attempt until the next heartbeat (default 30,000 ms). */
  leaseMs?: number;
  /** Attempts of a task that may be lost with their worker before it fails (default 3). */
  maxLostAttempts?: number;
  /** KiB of an attempt's log kept at its start and again at its end (default 512). */
  logCapKiB?: number;
  /** Longest stored log line in bytes (default 16,384). */
  maxLineBytes?: number;
}

function positiveInt(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new PipelinesRunArgumentInvalidError(
      `RunStore option ${name} is ${String(value)}; use a whole number >= ${min}.`,
    );
  }
  return value;
}

/** Applies defaults to `options` and validates them. */
export function resolveRunStoreOptions(options: RunStoreOptions): RunStoreConfig {
  const logCapKiB = positiveInt('logCapKiB', options.logCapKiB ?? 512, 1);
  return {
    leaseMs: positiveInt('leaseMs', options.leaseMs ?? 30_000, 1),
    maxLostAttempts: positiveInt('maxLostAttempts', options.maxLostAttempts ?? 3, 0),
    logCapBytes: logCapKiB * 1024,
    maxLineBytes: Math.min(
      positiveInt('maxLineBytes', options.maxLineBytes ?? 16_384, 256),
      logCapKiB * 1024,
    ),
    random: options.random ?? Math.random,
  };
}
