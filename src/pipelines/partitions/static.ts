/**
 * `staticPartitions(['AAPL', 'MSFT', ...])`: a fixed list of keys, in the order given. The
 * duplicate check builds the key -> index table, so a million keys cost one pass.
 */
import { PipelinesDefinitionInvalidError } from '../errors.js';
import { KeySpace, type KeyRange } from './partitions-definition.js';

/** Longest key accepted: keys become folder names and environment values. */
const MAX_KEY_LENGTH = 200;

/** Why a static key is unusable, or undefined when it is fine. */
function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `is ${typeof key}, not a string`;
  if (key.length === 0) return 'is empty';
  if (key.length > MAX_KEY_LENGTH) return `is longer than ${MAX_KEY_LENGTH} characters`;
  for (let i = 0; i < key.length; i += 1) {
    const c = key.charCodeAt(i);
    // '|' joins multi-dimensional keys; '/' and '\' would split a Hive folder name.
    if (c < 32 || c === 127 || c === 124 || c === 47 || c === 92) {
      return `contains ${JSON.stringify(key[i])}`;
    }
  }
  return undefined;
}

/** A fixed, ordered list of partition keys. */
export class StaticPartitions extends KeySpace {
  readonly type = 'static';
  readonly timeBased = false;
  private readonly list: readonly string[];
  private readonly lookup = new Map<string, number>();

  constructor(keys: readonly string[]) {
    super();
    if (!Array.isArray(keys)) {
      throw new PipelinesDefinitionInvalidError(
        `staticPartitions(): expected an array of keys, got ${typeof keys}. Pass e.g. staticPartitions(['AAPL', 'MSFT']).`,
      );
    }
    const list = [...(keys as readonly unknown[])];
    for (let i = 0; i < list.length; i += 1) {
      const key = list[i];
      const problem = keyProblem(key);
      if (problem !== undefined) {
        throw new PipelinesDefinitionInvalidError(
          `staticPartitions(): key #${i} ${JSON.stringify(key)} ${problem}. Keys are non-empty strings of at most ${MAX_KEY_LENGTH} characters without control characters, '|', '/' or '\\'.`,
          { details: { index: i } },
        );
      }
      if (this.lookup.has(key as string)) {
        throw new PipelinesDefinitionInvalidError(
          `staticPartitions(): key ${JSON.stringify(key)} is listed twice (again at #${i}). Remove the duplicate.`,
          { details: { index: i, key } },
        );
      }
      this.lookup.set(key as string, i);
    }
    this.list = Object.freeze(list as string[]);
  }

  describe(): string {
    return `static partitions (${this.list.length} keys)`;
  }

  count(): number {
    return this.list.length;
  }

  keyAt(index: number): string | undefined {
    return Number.isSafeInteger(index) && index >= 0 ? this.list[index] : undefined;
  }

  indexOf(key: string): number {
    return this.lookup.get(key) ?? -1;
  }

  indexRange(from: string, to: string): { start: number; end: number } {
    const start = this.requireIndex(from);
    const last = this.requireIndex(to);
    this.checkOrder(from, to, start, last);
    return { start, end: last + 1 };
  }

  protected override slice(start: number, end: number): string[] {
    return this.list.slice(start, end);
  }

  /** Every key: a tick of a schedule targets the whole list. */
  targetForTick(): KeyRange | undefined {
    const first = this.list[0];
    const last = this.list[this.list.length - 1];
    return first === undefined || last === undefined ? undefined : { from: first, to: last };
  }

  private requireIndex(key: string): number {
    const index = this.indexOf(key);
    if (index < 0) {
      const sample = this.list
        .slice(0, 3)
        .map((k) => JSON.stringify(k))
        .join(', ');
      throw this.unknownKey(
        key,
        `Keys are listed in the definition (${sample}${this.list.length > 3 ? ', ...' : ''}).`,
      );
    }
    return index;
  }
}

/** A fixed list of partition keys (symbols, regions, ...), in the given order. */
export function staticPartitions(keys: readonly string[]): StaticPartitions {
  return new StaticPartitions(keys);
}
