import { UsageError } from '../core/index.js';

/** Parses an integer flag, naming the flag and the accepted range when it is wrong. */
export function parseInteger(value: string, flag: string, min = 0): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} must be an integer >= ${min}, got "${value}".`);
  }
  return n;
}

/** Collects repeatable `key=value` flags into an object. */
export function collectPairs(flag: string) {
  return (value: string, previous: Record<string, string> = {}): Record<string, string> => {
    const i = value.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag} takes key=value, got "${value}".`);
    return { ...previous, [value.slice(0, i)]: value.slice(i + 1) };
  };
}
