/**
 * Silences: label matchers with an expiry. A matcher names a label (or `rule`) and a value, where
 * `*` matches any run of characters, so `{ rule: 'asset_stale', asset: 'krx_*' }` silences the
 * staleness of every KRX asset.
 */
import { ObserveAlertArgumentError } from '../errors.js';
import type { AlertLabels, Silence } from './alert-types.js';

const MATCHER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function globRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

/** Whether every matcher of `matchers` matches the alert's rule and labels. */
export function matchesSilence(
  matchers: Readonly<Record<string, string>>,
  rule: string,
  labels: AlertLabels,
): boolean {
  for (const [name, pattern] of Object.entries(matchers)) {
    const value = name === 'rule' ? rule : labels[name];
    if (value === undefined || !globRegExp(pattern).test(value)) return false;
  }
  return true;
}

/** The first silence in force at `nowMs` that matches the alert, if any. */
export function silencing(
  silences: readonly Silence[],
  rule: string,
  labels: AlertLabels,
  nowMs: number,
): Silence | undefined {
  return silences.find((s) => s.expiresAtMs > nowMs && matchesSilence(s.matchers, rule, labels));
}

/** Checks matchers a user gave: at least one, names like labels, non-empty values. */
export function validateMatchers(
  matchers: Readonly<Record<string, unknown>>,
): Record<string, string> {
  const entries = Object.entries(matchers);
  if (entries.length === 0)
    throw new ObserveAlertArgumentError(
      'A silence needs at least one matcher, e.g. --rule asset_stale or --asset bars_1d (a silence of everything would hide every alert).',
    );
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!MATCHER_NAME.test(name))
      throw new ObserveAlertArgumentError(
        `Silence matcher "${name}" is not a label name. Use letters, digits and _, e.g. rule, asset, check, worker.`,
      );
    if (typeof value !== 'string' || value.trim() === '')
      throw new ObserveAlertArgumentError(
        `Silence matcher "${name}" needs a non-empty text value (use * as a wildcard), got ${JSON.stringify(value)}.`,
      );
    out[name] = value.trim();
  }
  return out;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses a duration such as `90s`, `30m`, `2h`, `1d` or `1h30m` into milliseconds. */
export function parseDurationMs(text: string, what = 'duration'): number {
  const s = text.trim();
  const parts = /^(\d+(?:\.\d+)?[smhdw])+$/.test(s) ? s.match(/\d+(?:\.\d+)?[smhdw]/g) : null;
  const ms = (parts ?? []).reduce(
    (sum, p) => sum + Number(p.slice(0, -1)) * (UNIT_MS[p.slice(-1)] ?? 0),
    0,
  );
  if (parts === null || !(ms > 0))
    throw new ObserveAlertArgumentError(
      `The ${what} "${text}" is not a duration. Write a number and a unit: 90s, 30m, 2h, 1d, 1w or 1h30m.`,
    );
  return Math.round(ms);
}
