/**
 * Which partitions a schedule tick runs for an asset: the partition the tick falls in, or the one
 * before it (`schedule({ partitions: 'previous' })`, e.g. a 06:00 download of yesterday's session).
 */
import type { KeyRange } from '../partitions/index.js';
import type { AssetDefinition } from '../sdk/asset.js';
import type { ScheduleDefinition } from '../sdk/schedule.js';

/** What a tick runs for one asset. */
export type TickTarget =
  /** The asset is unpartitioned: run it as a whole. */
  | { readonly kind: 'unpartitioned' }
  /** Run these keys (inclusive range; one key for date spaces, date x all symbols for multi). */
  | { readonly kind: 'partitions'; readonly range: KeyRange }
  /** No partition matches this tick (a holiday, before the space starts): skip. */
  | { readonly kind: 'none' };

/**
 * The partitions `tick` of `schedule` targets in `target`. Session partitions use the tick's date
 * in the exchange's time zone: 'current' is that date's session (none on a non-session date),
 * 'previous' the last session before it.
 */
export function tickTarget(
  schedule: ScheduleDefinition,
  tick: number,
  target: AssetDefinition,
): TickTarget {
  const partitions = target.partitions;
  if (partitions === undefined) return { kind: 'unpartitioned' };
  const range = partitions.targetForTick(tick, schedule.partitions);
  return range === undefined ? { kind: 'none' } : { kind: 'partitions', range };
}
