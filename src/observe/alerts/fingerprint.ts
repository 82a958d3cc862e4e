/** The identity of an alert: its rule and labels, hashed in a stable order. */
import { createHash } from 'node:crypto';
import type { AlertLabels } from './alert-types.js';

/** A 16-hex-digit fingerprint of (rule, labels); label order does not matter. */
export function alertFingerprint(rule: string, labels: AlertLabels): string {
  const canonical = JSON.stringify([
    rule,
    Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The group an alert is notified with: its rule and the thing it is about. */
export function alertGroupKey(rule: string, group: string): string {
  return `${rule}/${group}`;
}
