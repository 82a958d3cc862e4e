/**
 * The contract every partitions definition meets: an ordered key space that can be counted,
 * paged and searched without listing it, with stable indexes.
 *
 * Indexes never move: keys are only ever appended as time passes (a new session, a new day), so
 * the run store can keep per-partition status as an array or bitmap addressed by index.
 */
import { PipelinesInvalidPartitionKeyError } from '../errors.js';
import { DEFINITION, type Branded } from '../sdk/brand.js';

/** Kinds of partition key spaces. */
export type PartitionsType = 'sessions' | 'daily' | 'monthly' | 'static' | 'multi';

/** A page request: `limit` keys starting at index `offset`. */
export interface KeyPage {
  /** Index of the first key (default 0). */
  offset?: number;
  /** Most keys to return (default 100). */
  limit?: number;
  /** The current instant in UTC ms (default `Date.now()`); time-based spaces grow with it. */
  now?: number;
}

/** Which partition a schedule tick targets: the one the tick falls in, or the one before. */
export type TickTargetMode = 'current' | 'previous';

/** An inclusive range of partition keys, as `keysBetween` takes it. */
export interface KeyRange {
  /** First key. */
  readonly from: string;
  /** Last key (inclusive). */
  readonly to: string;
}

/** An ordered, pageable key space of an asset's partitions. */
export interface PartitionsDefinition extends Branded<'partitions'> {
  /** Which kind of key space this is. */
  readonly type: PartitionsType;
  /** Whether the space grows with time (keys are dates or months). */
  readonly timeBased: boolean;
  /** Human description, e.g. `sessions(XNYS) from 2020-01-02`. */
  describe(): string;
  /** Number of keys that exist at `now`. */
  count(now?: number): number;
  /** A page of keys in order. */
  keys(page?: KeyPage): string[];
  /** The key at `index`, or undefined outside `0..count(now)-1`. */
  keyAt(index: number, now?: number): string | undefined;
  /** Index of `key`, or -1 when it is not a key of this space at `now`. */
  indexOf(key: string, now?: number): number;
  /** Whether `key` is a key of this space at `now`. */
  contains(key: string, now?: number): boolean;
  /** Keys from `from` to `to`, both inclusive, in order (bounds are clamped for time spaces). */
  keysBetween(from: string, to: string, now?: number): string[];
  /** Index range [start, end) of `keysBetween(from, to)`, so callers can page large ranges. */
  indexRange(from: string, to: string, now?: number): { start: number; end: number };
  /** Keys a schedule tick at `tickMs` targets, or undefined when there is none. */
  targetForTick(tickMs: number, mode: TickTargetMode): KeyRange | undefined;
}

/** Default page size of `keys()`. */
export const DEFAULT_PAGE_LIMIT = 100;

/** Shared paging and lookup logic over `count`, `keyAt` and `indexOf`. */
export abstract class KeySpace implements PartitionsDefinition {
  readonly kind = 'partitions';
  readonly [DEFINITION] = 'partitions' as const;
  abstract readonly type: PartitionsType;
  abstract readonly timeBased: boolean;

  abstract describe(): string;
  abstract count(now?: number): number;
  abstract keyAt(index: number, now?: number): string | undefined;
  abstract indexOf(key: string, now?: number): number;
  abstract indexRange(from: string, to: string, now?: number): { start: number; end: number };
  abstract targetForTick(tickMs: number, mode: TickTargetMode): KeyRange | undefined;

  keys(page: KeyPage = {}): string[] {
    const offset = page.offset ?? 0;
    const limit = page.limit ?? DEFAULT_PAGE_LIMIT;
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 0) {
      throw new PipelinesInvalidPartitionKeyError(
        `Invalid page of ${this.describe()}: offset ${offset} and limit ${limit} must be whole numbers >= 0.`,
        { details: { offset, limit } },
      );
    }
    const end = Math.min(this.count(page.now), offset + limit);
    return this.slice(offset, end, page.now);
  }

  contains(key: string, now?: number): boolean {
    return this.indexOf(key, now) >= 0;
  }

  keysBetween(from: string, to: string, now?: number): string[] {
    const { start, end } = this.indexRange(from, to, now);
    return this.slice(start, end, now);
  }

  /** Keys with indexes in [start, end); subclasses override when a bulk read is cheaper. */
  protected slice(start: number, end: number, now?: number): string[] {
    const result: string[] = [];
    for (let i = start; i < end; i += 1) result.push(this.keyAt(i, now) as string);
    return result;
  }

  /** Throws the reversed-range error when position `first` lies after position `last`. */
  protected checkOrder(from: string, to: string, first: number, last: number): void {
    if (first > last) {
      throw new PipelinesInvalidPartitionKeyError(
        `Invalid partition range ${from}..${to} of ${this.describe()}: from comes after to. Pass from <= to.`,
        { details: { from, to } },
      );
    }
  }

  /** The error for a key that is not in this space. */
  protected unknownKey(key: string, expected: string): PipelinesInvalidPartitionKeyError {
    return new PipelinesInvalidPartitionKeyError(
      `Partition key ${JSON.stringify(key)} is not a key of ${this.describe()}. ${expected}`,
      { details: { key } },
    );
  }
}

/** Resolves the `now` argument: the caller's instant, or the wall clock. */
export function nowOr(now: number | undefined): number {
  return now ?? Date.now();
}
