import { hasCode, UsageError } from '../core/index.js';

/** Market error codes that, raised while reading command-line arguments, mean wrong usage. */
const ARGUMENT_CODES = [
  'MARKET_INVALID_OPTION',
  'MARKET_INVALID_DATE',
  'MARKET_INVALID_DATE_RANGE',
  'MARKET_UNKNOWN_CALENDAR',
];

/**
 * Runs a market command and turns argument errors (bad date, unknown calendar, bad option)
 * into usage errors, so the CLI exits 2 with the market error's message.
 */
export async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (ARGUMENT_CODES.some((code) => hasCode(err, code)))
      throw new UsageError((err as Error).message, { cause: err });
    throw err;
  }
}
