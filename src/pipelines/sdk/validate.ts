/**
 * Small validators shared by the SDK's definition functions. Each failure throws
 * `PipelinesDefinitionInvalidError` naming the definition and the field and saying how to fix it,
 * because the first reader of these messages is a user whose pipeline file just failed to load.
 */
import { PipelinesDefinitionInvalidError } from '../errors.js';

/** Asset names double as default lake dataset names, so they follow the lake's naming rule. */
export const ASSET_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Schedule, sensor and pool names: readable identifiers that also work in URLs and CLI args. */
export const DEFINITION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@/ *,+-]{0,199}$/;

/** Throws the definition error for `what` (e.g. `asset "bars"`), naming `field`. */
export function invalid(what: string, field: string, problem: string, fix: string): never {
  // details.problem/fix let the loader show the two halves separately in a diagnostic.
  const statement = `${what}: ${field} ${problem}.`;
  throw new PipelinesDefinitionInvalidError(`${statement} ${fix}`, {
    details: { definition: what, field, problem: statement, fix },
  });
}

/** Shows a user value in a message without dumping whole objects. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return typeof value === 'symbol' ? value.toString() : 'undefined';
}

/** Requires a plain options object (not null, not an array); `example` shows a correct one. */
export function requireObject(
  what: string,
  value: unknown,
  example = '{ name: ..., ... }',
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(what, 'options', `are ${show(value)}`, `Pass an options object: ${example}.`);
  }
  return value as Record<string, unknown>;
}

/** Rejects option keys the definition does not know, suggesting the intended one by spelling. */
export function rejectUnknownKeys(
  what: string,
  options: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      invalid(what, `option "${key}"`, 'is not known', `Known options: ${known.join(', ')}.`);
    }
  }
}

/** An optional positive integer (milliseconds, attempts, megabytes). */
export function optionalPositiveInt(
  what: string,
  field: string,
  value: unknown,
  example: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    invalid(
      what,
      field,
      `is ${show(value)}`,
      `Use a positive whole number, e.g. ${field}: ${example}.`,
    );
  }
  return value;
}

/** An optional non-empty string. */
export function optionalString(what: string, field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    invalid(what, field, `is ${show(value)}`, `Use a non-empty string or leave ${field} out.`);
  }
  return value;
}

/** Validates an IANA time zone name ('America/New_York', 'Asia/Seoul', 'UTC'). */
export function requireTimeZone(what: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    invalid(
      what,
      field,
      `is ${show(value)}`,
      `Give an IANA time zone such as 'America/New_York', 'Asia/Seoul' or 'UTC'.`,
    );
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    invalid(
      what,
      field,
      `${show(value)} is not a known time zone`,
      `Give an IANA time zone such as 'America/New_York', 'Asia/Seoul' or 'UTC'.`,
    );
  }
  return value;
}

/** Optional string-to-string tags (`{ team: 'data', tier: '1' }`). */
export function optionalTags(what: string, value: unknown): Readonly<Record<string, string>> {
  if (value === undefined) return Object.freeze({});
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(
      what,
      'tags',
      `is ${show(value)}`,
      "Use an object of strings, e.g. tags: { team: 'data' }.",
    );
  }
  for (const [key, tag] of Object.entries(value)) {
    if (typeof tag !== 'string') {
      invalid(what, `tags.${key}`, `is ${show(tag)}`, 'Tag values are strings.');
    }
  }
  return Object.freeze({ ...(value as Record<string, string>) });
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration as milliseconds or text ('30s', '5m', '1h', '500ms'), returned in milliseconds. */
export function requireDurationMs(what: string, field: string, value: unknown): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const match = DURATION.exec(value.trim());
    if (match !== null) ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < 1 || !Number.isInteger(Math.round(ms))) {
    invalid(
      what,
      field,
      `is ${show(value)}`,
      `Use milliseconds (60000) or text such as '30s', '5m', '1h'.`,
    );
  }
  return Math.round(ms);
}
