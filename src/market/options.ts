import { formatDay, parseDay } from '../core/index.js';
import {
  MarketInvalidDateError,
  MarketInvalidDateRangeError,
  MarketInvalidOptionError,
} from './errors.js';

/** A 'YYYY-MM-DD' option, validated (undefined stays undefined). */
export function dateOption(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const day = parseDay(value);
  if (day === undefined) throw new MarketInvalidDateError(value);
  return formatDay(day);
}

/** Validates a from/to pair (either may be absent) and returns it. */
export function dateRange(from: unknown, to: unknown): { from?: string; to?: string } {
  const f = dateOption(from);
  const t = dateOption(to);
  if (f !== undefined && t !== undefined && f > t) throw new MarketInvalidDateRangeError(f, t);
  return { ...(f === undefined ? {} : { from: f }), ...(t === undefined ? {} : { to: t }) };
}

/** One of `allowed`, or the default when absent; names the option and the accepted values otherwise. */
export function choiceOption<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw new MarketInvalidOptionError(name, value, `one of ${allowed.join(', ')}`);
  return value as T;
}

/** A non-empty symbol, trimmed. */
export function symbolOption(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new MarketInvalidOptionError(name, value, 'a non-empty symbol such as AAPL or 005930');
  return value.trim();
}
