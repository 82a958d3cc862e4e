/** Ids and timestamps of the run store. */
import { randomBytes } from 'node:crypto';

let lastMs = 0;
let sequence = 0;
const SEQUENCE_LIMIT = 36 ** 4;

/**
 * A sortable id: `prefix`, the time in base 36, a per-process sequence and random characters.
 * The sequence keeps ids made in one process strictly increasing even within a millisecond (or
 * with a pinned test clock), so "newest first" is simply "largest id first".
 */
export function sortableId(prefix: string, nowMs: number): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    sequence = 0;
  } else {
    sequence += 1;
    if (sequence >= SEQUENCE_LIMIT) {
      lastMs += 1;
      sequence = 0;
    }
  }
  const time = lastMs.toString(36).padStart(9, '0');
  const seq = sequence.toString(36).padStart(4, '0');
  const rand = randomBytes(4).toString('hex').slice(0, 6);
  return `${prefix}${time}${seq}${rand}`;
}

/** Epoch milliseconds as ISO-8601 UTC with milliseconds, the form every stored timestamp takes. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Splits `items` into chunks of at most `size` (statement parameter limits). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
