/**
 * Worker side: garbage collection between attempts. A reused worker's next attempt must start
 * with only the memory the worker really holds, because the pool resets VmHWM right before it;
 * a full collection costs ~20 ms, so it runs only when the resident set has grown.
 */
// Growth of the resident set below which the next attempt's peak barely changes.
const GC_AFTER_GROWTH_BYTES = 16 * 1024 * 1024;
// Collections that leave this much more than the floor mean memory the worker really keeps.
const FUTILE_GCS_BEFORE_NEW_FLOOR = 3;
let floorRssBytes = 0;
let futileGcs = 0;

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Frees what the last attempt left (a 300 MB buffer) so the next one starts small: the pool
 * resets VmHWM after this, so the next peak is the next attempt's own. Skipped when the resident
 * set is near the lowest seen after a collection. Just after an attempt its buffers can still be
 * reachable for a few event-loop turns (its settled promises and timers), so a collection that
 * frees nothing is retried after short waits. `always` collects once regardless (at start).
 */
export async function collectGarbage(always: boolean): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return;
  const near = (): boolean => process.memoryUsage.rss() <= floorRssBytes + GC_AFTER_GROWTH_BYTES;
  if (!always && near()) return;
  for (const waitMs of always ? [0] : [0, 5, 20, 50]) {
    await settle(waitMs);
    gc();
    if (near()) break;
  }
  const after = process.memoryUsage.rss();
  if (always || after < floorRssBytes) floorRssBytes = after;
  if (after <= floorRssBytes + GC_AFTER_GROWTH_BYTES) futileGcs = 0;
  else if (++futileGcs >= FUTILE_GCS_BEFORE_NEW_FLOOR) {
    floorRssBytes = after;
    futileGcs = 0;
  }
}
