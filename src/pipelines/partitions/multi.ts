/**
 * `multiPartitions({ date: daily(...), symbol: staticPartitions([...]) })`: two-dimensional keys
 * written 'outer|inner' ('2024-01-02|AAPL'), ordered outer-major.
 *
 * The inner dimension must be static: then index = outerIndex * innerCount + innerIndex stays
 * stable while the outer (time) dimension grows, which is what compact status storage needs.
 */
import { PipelinesDefinitionInvalidError } from '../errors.js';
import { definitionKindOf } from '../sdk/brand.js';
import {
  KeySpace,
  type KeyRange,
  type PartitionsDefinition,
  type TickTargetMode,
} from './partitions-definition.js';

/** Separator of the parts of a multi-dimensional key. */
export const KEY_SEPARATOR = '|';

const DIMENSION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** One named dimension of a multi-dimensional space. */
export interface PartitionDimension {
  /** Name, e.g. 'date' or 'symbol'. */
  readonly name: string;
  /** Its key space. */
  readonly partitions: PartitionsDefinition;
}

function fail(problem: string, fix: string): never {
  throw new PipelinesDefinitionInvalidError(`multiPartitions(): ${problem}. ${fix}`);
}

/** Two-dimensional partitions; keys join the dimensions' keys with '|'. */
export class MultiPartitions extends KeySpace {
  readonly type = 'multi';
  readonly timeBased: boolean;
  /** The dimensions, outer first. */
  readonly dimensions: readonly [PartitionDimension, PartitionDimension];
  private readonly outer: PartitionsDefinition;
  private readonly inner: PartitionsDefinition;

  constructor(dimensions: Record<string, PartitionsDefinition>) {
    super();
    const fix =
      'Pass two named dimensions, the second static, e.g. multiPartitions({ date: daily({ start: ... }), symbol: staticPartitions([...]) }).';
    if (typeof dimensions !== 'object' || dimensions === null || Array.isArray(dimensions)) {
      fail(`expected an object of dimensions, got ${typeof dimensions}`, fix);
    }
    const entries = Object.entries(dimensions);
    if (entries.length !== 2) fail(`got ${entries.length} dimension(s)`, fix);
    for (const [name, space] of entries) {
      if (!DIMENSION_NAME.test(name))
        fail(`dimension name ${JSON.stringify(name)} is invalid`, 'Use letters, digits and _.');
      if (definitionKindOf(space) !== 'partitions')
        fail(`dimension "${name}" is not a partitions definition`, fix);
      if (space.type === 'multi') fail(`dimension "${name}" is itself multi-dimensional`, fix);
    }
    const [outer, inner] = entries as [
      [string, PartitionsDefinition],
      [string, PartitionsDefinition],
    ];
    if (inner[1].type !== 'static') {
      fail(
        `the second dimension "${inner[0]}" is ${inner[1].type}, not static`,
        `${fix} Put the time dimension first.`,
      );
    }
    this.dimensions = Object.freeze([
      Object.freeze({ name: outer[0], partitions: outer[1] }),
      Object.freeze({ name: inner[0], partitions: inner[1] }),
    ]);
    this.outer = outer[1];
    this.inner = inner[1];
    this.timeBased = outer[1].timeBased;
  }

  describe(): string {
    const [a, b] = this.dimensions;
    return `multi partitions (${a.name}: ${a.partitions.describe()}) x (${b.name}: ${b.partitions.describe()})`;
  }

  /** The parts of `key` by dimension name (`{ date: '2024-01-02', symbol: 'AAPL' }`), or undefined. */
  partsOf(key: string): Record<string, string> | undefined {
    const cut = key.indexOf(KEY_SEPARATOR);
    if (cut < 0) return undefined;
    return {
      [this.dimensions[0].name]: key.slice(0, cut),
      [this.dimensions[1].name]: key.slice(cut + 1),
    };
  }

  count(now?: number): number {
    return this.outer.count(now) * this.inner.count();
  }

  keyAt(index: number, now?: number): string | undefined {
    const n = this.inner.count();
    if (!Number.isSafeInteger(index) || index < 0 || n === 0) return undefined;
    const outerKey = this.outer.keyAt(Math.floor(index / n), now);
    if (outerKey === undefined) return undefined;
    return `${outerKey}${KEY_SEPARATOR}${this.inner.keyAt(index % n) as string}`;
  }

  indexOf(key: string, now?: number): number {
    const cut = typeof key === 'string' ? key.indexOf(KEY_SEPARATOR) : -1;
    if (cut < 0) return -1;
    const o = this.outer.indexOf(key.slice(0, cut), now);
    const i = this.inner.indexOf(key.slice(cut + 1));
    return o < 0 || i < 0 ? -1 : o * this.inner.count() + i;
  }

  /**
   * Bounds may be full keys ('2024-01-02|AAPL') or outer keys alone ('2024-01-02'), which mean
   * every inner key of that outer key: `keysBetween('2024-01-02', '2024-01-05')` is four days of
   * every symbol.
   */
  indexRange(from: string, to: string, now?: number): { start: number; end: number } {
    const n = this.inner.count();
    const [fromOuter, fromInner] = this.split(from);
    const [toOuter, toInner] = this.split(to);
    const outerRange = this.outer.indexRange(fromOuter, toOuter, now);
    if (outerRange.end <= outerRange.start || n === 0) {
      return { start: outerRange.start * n, end: outerRange.start * n };
    }
    const firstOuter = outerRange.start;
    const lastOuter = outerRange.end - 1;
    // An inner bound applies only when its outer key is the range's own end, not a clamped one.
    const startInner =
      fromInner !== undefined && this.outer.indexOf(fromOuter, now) === firstOuter
        ? this.innerIndex(fromInner)
        : 0;
    const endInner =
      toInner !== undefined && this.outer.indexOf(toOuter, now) === lastOuter
        ? this.innerIndex(toInner)
        : n - 1;
    const start = firstOuter * n + startInner;
    const last = lastOuter * n + endInner;
    this.checkOrder(from, to, start, last);
    return { start, end: last + 1 };
  }

  /** The tick's outer target crossed with every inner key. */
  targetForTick(tickMs: number, mode: TickTargetMode): KeyRange | undefined {
    const outer = this.outer.targetForTick(tickMs, mode);
    const inner = this.inner.targetForTick(tickMs, mode);
    if (outer === undefined || inner === undefined) return undefined;
    return {
      from: `${outer.from}${KEY_SEPARATOR}${inner.from}`,
      to: `${outer.to}${KEY_SEPARATOR}${inner.to}`,
    };
  }

  private split(bound: string): [string, string | undefined] {
    if (typeof bound !== 'string') throw this.unknownKey(String(bound), 'Keys are strings.');
    const cut = bound.indexOf(KEY_SEPARATOR);
    return cut < 0 ? [bound, undefined] : [bound.slice(0, cut), bound.slice(cut + 1)];
  }

  private innerIndex(key: string): number {
    const index = this.inner.indexOf(key);
    if (index < 0) {
      throw this.unknownKey(
        key,
        `"${key}" is not a key of dimension "${this.dimensions[1].name}" (${this.inner.describe()}).`,
      );
    }
    return index;
  }
}

/** Two-dimensional partitions, e.g. `{ date: sessions('XNYS', ...), symbol: staticPartitions([...]) }`. */
export function multiPartitions(dimensions: Record<string, PartitionsDefinition>): MultiPartitions {
  return new MultiPartitions(dimensions);
}
