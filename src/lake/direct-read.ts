import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DuckDBTimestampValue } from '@duckdb/node-api';
import { parquetMetadata } from 'hyparquet';
import type { Dataset } from './dataset-spec.js';
import { dateString } from './json-rows.js';
import {
  decodeChunk,
  PageArena,
  UnsupportedParquetError,
  valueAt,
  type ChunkLocation,
  type DecodedChunk,
  type PhysicalType,
  type RawValue,
} from './parquet-chunk.js';
import type { ReadFilter, ReadOptions } from './read-options.js';

/** How a dataset column type is stored in the lake's files, shown as JSON and filtered on. */
interface TypeSpec {
  physical: PhysicalType;
  /** The file's converted type for the column (undefined: none, or a plain integer one). */
  converted?: string;
  json(v: RawValue): unknown;
  /** A filter value in the column's domain, or undefined when DuckDB should cast it instead. */
  filter(v: string | number | boolean): RawValue | undefined;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

const none = (): undefined => undefined;
const decimal = (v: string | number | boolean): number | undefined =>
  typeof v === 'number'
    ? Number.isFinite(v)
      ? v
      : undefined
    : typeof v === 'string' && DECIMAL.test(v)
      ? Number(v)
      : undefined;
const whole = (v: string | number | boolean): bigint | undefined =>
  typeof v === 'number'
    ? Number.isSafeInteger(v)
      ? BigInt(v)
      : undefined
    : typeof v === 'string' && INTEGER.test(v)
      ? BigInt(v)
      : undefined;
const finiteOrText = (v: RawValue): unknown =>
  v === null ? null : Number.isFinite(v) ? v : String(v);

const TYPES: Record<string, TypeSpec> = {
  VARCHAR: {
    physical: 'BYTE_ARRAY',
    converted: 'UTF8',
    json: (v) => v,
    filter: (v) => (typeof v === 'string' ? v : undefined),
  },
  DOUBLE: { physical: 'DOUBLE', json: finiteOrText, filter: decimal },
  INTEGER: {
    physical: 'INT32',
    json: (v) => v,
    filter: (v) => {
      const x = whole(v);
      return x !== undefined && x >= -2147483648n && x <= 2147483647n ? Number(x) : undefined;
    },
  },
  BIGINT: {
    physical: 'INT64',
    json: (v) => (v === null ? null : String(v)),
    filter: (v) => {
      const x = whole(v);
      return x !== undefined && BigInt.asIntN(64, x) === x ? x : undefined;
    },
  },
  DATE: {
    physical: 'INT32',
    converted: 'DATE',
    json: (v) => (v === null ? null : dateString(v as number)),
    filter: (v) => {
      const m = typeof v === 'string' ? ISO_DATE.exec(v) : null;
      if (!m) return undefined;
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const t = Date.UTC(y, mo - 1, d);
      const back = new Date(t);
      if (
        y < 1 ||
        back.getUTCFullYear() !== y ||
        back.getUTCMonth() !== mo - 1 ||
        back.getUTCDate() !== d
      )
        return undefined;
      return t / DAY_MS;
    },
  },
  TIMESTAMP: {
    physical: 'INT64',
    converted: 'TIMESTAMP_MICROS',
    json: (v) => (v === null ? null : String(new DuckDBTimestampValue(v as bigint))),
    filter: none,
  },
  BOOLEAN: { physical: 'BOOLEAN', json: (v) => v, filter: none },
};

/** Code point order of two strings (the order of their UTF-8 bytes, as DuckDB sorts text). */
function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800-DFFF) stand for code points above U+FFFF: move them past U+E000-FFFF.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** DuckDB's ascending order: NULLs last, NaN above every other number. */
export function compareRaw(a: RawValue, b: RawValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'string') return compareText(a, b as string);
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Condition {
  column: number;
  test: (v: RawValue) => boolean;
}

/** A read the direct reader can serve: columns by index into the dataset's columns. */
interface Plan {
  key: number;
  keyValue: RawValue;
  conditions: Condition[];
  output: number[];
  order: number[];
  limit: number;
  types: TypeSpec[];
}

interface RowGroupLayout {
  chunks: ChunkLocation[];
  keyMin: RawValue | undefined;
  keyMax: RawValue | undefined;
}

/** What the reader keeps of one file's footer: where each column chunk lies, and key bounds. */
interface FileLayout {
  groups: RowGroupLayout[];
}

function statValue(type: TypeSpec, v: unknown): RawValue | undefined {
  if (v instanceof Date) {
    const t = v.getTime();
    return type.converted === 'DATE' && Number.isFinite(t) ? t / DAY_MS : undefined;
  }
  if (type.converted === 'DATE' || type.converted === 'TIMESTAMP_MICROS') return undefined;
  if (typeof v === 'string' && type.physical === 'BYTE_ARRAY') return v;
  if (typeof v === 'number' && (type.physical === 'DOUBLE' || type.physical === 'INT32')) return v;
  if (typeof v === 'bigint' && type.physical === 'INT64') return v;
  return undefined;
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new UnsupportedParquetError('file shorter than its footer says');
    done += n;
  }
  return buf;
}

/**
 * Reads a point lookup (an equality on the first primary-key column) straight from the lake's
 * Parquet files: footers are parsed once per file (files never change), row groups are chosen by
 * the key's min/max, and only the chosen column chunks are read and decoded. DuckDB spends most of
 * a 10-file point read converting every row group's statistics on every query (decision 0013);
 * this reader does not. It returns undefined for any read it does not serve exactly as DuckDB
 * would (other filters, types or file features), and the caller reads through DuckDB instead.
 */
export class DirectReader {
  private readonly layouts = new Map<string, FileLayout>();
  private readonly arena = new PageArena();

  constructor(
    private readonly maxFiles = 512,
    private readonly maxRows = 500_000,
  ) {}

  /** The rows of `files` that `options` selects, as DuckDB's JSON rows; undefined if not served. */
  read(
    dataset: Dataset,
    files: readonly string[],
    options: ReadOptions,
  ): Record<string, unknown>[] | undefined {
    const plan = this.plan(dataset, options);
    if (!plan) return undefined;
    try {
      return this.execute(dataset, plan, files);
    } catch {
      // A feature this reader does not decode, or a file it cannot read: DuckDB reads it (and
      // reports a real problem with its own message).
      return undefined;
    }
  }

  private plan(dataset: Dataset, options: ReadOptions): Plan | undefined {
    if (dataset.partitioning.kind === 'column') return undefined;
    const names = dataset.columns.map((c) => c.name);
    const types: TypeSpec[] = [];
    for (const c of dataset.columns) {
      const t = TYPES[c.type.toUpperCase()];
      if (!t) return undefined;
      types.push(t);
    }
    const keyName = dataset.primaryKey[0];
    const where = options.where ?? {};
    const keyFilter = keyName === undefined ? undefined : where[keyName];
    if (keyFilter === undefined || typeof keyFilter === 'object') return undefined;
    const conditions: Condition[] = [];
    let keyValue: RawValue | undefined;
    for (const [name, f] of Object.entries(where)) {
      const column = names.indexOf(name);
      const condition = column < 0 ? undefined : this.condition(types[column]!, f);
      if (!condition) return undefined;
      if (name === keyName) {
        keyValue = condition.value;
        conditions.unshift({ column, test: condition.test });
      } else {
        conditions.push({ column, test: condition.test });
      }
    }
    const output = (options.columns ?? names).map((n) => names.indexOf(n));
    const order = (options.orderBy ?? dataset.primaryKey).map((n) => names.indexOf(n));
    if (
      keyValue === undefined ||
      output.some((i) => i < 0) ||
      order.some((i) => i < 0) ||
      new Set(output).size !== output.length
    )
      return undefined;
    return {
      key: names.indexOf(keyName!),
      keyValue,
      conditions,
      output,
      order,
      limit: options.limit === undefined ? Infinity : Math.max(0, Math.floor(options.limit)),
      types,
    };
  }

  private condition(
    type: TypeSpec,
    f: ReadFilter,
  ): { test: (v: RawValue) => boolean; value?: RawValue } | undefined {
    if (typeof f !== 'object') {
      const x = type.filter(f);
      if (x === undefined) return undefined;
      return { test: (v) => v !== null && compareRaw(v, x) === 0, value: x };
    }
    const from = f.from === undefined ? undefined : type.filter(f.from);
    const to = f.to === undefined ? undefined : type.filter(f.to);
    if ((f.from !== undefined && from === undefined) || (f.to !== undefined && to === undefined))
      return undefined;
    return {
      test: (v) =>
        v !== null &&
        (from === undefined || compareRaw(v, from) >= 0) &&
        (to === undefined || compareRaw(v, to) <= 0),
    };
  }

  private execute(
    dataset: Dataset,
    plan: Plan,
    files: readonly string[],
  ): Record<string, unknown>[] | undefined {
    const names = dataset.columns.map((c) => c.name);
    const needed = [
      ...new Set([...plan.conditions.map((c) => c.column), ...plan.output, ...plan.order]),
    ];
    const found: Record<string, unknown>[] = [];
    // Sort keys by column (no array per row); rows usually arrive in order already.
    const sortKeys: RawValue[][] = plan.order.map(() => []);
    let sorted = true;
    // The row groups that can hold the key, chosen before anything is decoded: a lookup that
    // would decode more than `maxRows` rows (a long history of minute bars, say) goes to
    // DuckDB, which streams it off this thread.
    const picks = files.map((file) => {
      const groups = this.layout(file, dataset, plan).groups.filter(
        (g) =>
          g.keyMin === undefined ||
          g.keyMax === undefined ||
          (compareRaw(plan.keyValue, g.keyMin) >= 0 && compareRaw(plan.keyValue, g.keyMax) <= 0),
      );
      return { file, groups };
    });
    const candidates = picks.reduce(
      (n, p) => p.groups.reduce((m, g) => m + (g.chunks[0]?.rows ?? 0), n),
      0,
    );
    if (candidates > this.maxRows) return undefined;
    for (const { file, groups } of picks) {
      const fd = openSync(file, 'r');
      try {
        for (const group of groups) {
          const chunks = needed.map((i) => group.chunks[i]!);
          const start = Math.min(...chunks.map((c) => c.start));
          const end = Math.max(...chunks.map((c) => c.start + c.length));
          const bytes = readExactly(fd, end - start, start);
          this.arena.reset();
          const decoded = new Map<number, DecodedChunk>();
          // The key column is decoded whole; the others only up to the last row still wanted.
          let rows: number[] | undefined;
          const column = (i: number): DecodedChunk => {
            let d = decoded.get(i);
            if (!d) {
              const upTo = rows === undefined ? undefined : rows[rows.length - 1]! + 1;
              d = decodeChunk(bytes, start, group.chunks[i]!, this.arena, upTo);
              decoded.set(i, d);
            }
            return d;
          };
          for (const cond of plan.conditions) {
            rows = matchRows(column(cond.column), cond.test, rows);
            if (rows.length === 0) break;
          }
          if (!rows || rows.length === 0) continue;
          const out = plan.output.map((i) => ({
            name: names[i]!,
            chunk: column(i),
            type: plan.types[i]!,
          }));
          const keys = plan.order.map((i) => column(i));
          for (const r of rows) {
            const row: Record<string, unknown> = {};
            for (const o of out) row[o.name] = o.type.json(valueAt(o.chunk, r));
            const at = found.length;
            found.push(row);
            for (let k = 0; k < keys.length; k++) sortKeys[k]!.push(valueAt(keys[k]!, r));
            if (sorted && at > 0) sorted = compareKeys(sortKeys, at - 1, at) <= 0;
          }
        }
      } finally {
        closeSync(fd);
      }
    }
    if (sorted) return found.slice(0, plan.limit);
    const order = found.map((_, i) => i).sort((a, b) => compareKeys(sortKeys, a, b));
    return order.slice(0, plan.limit).map((i) => found[i]!);
  }

  /** The file's layout, from its footer the first time; throws when the file is not as expected. */
  private layout(file: string, dataset: Dataset, plan: Plan): FileLayout {
    const cacheKey = `${file}\0${plan.key}`;
    const cached = this.layouts.get(cacheKey);
    if (cached) return cached;
    const fd = openSync(file, 'r');
    let footer: Buffer;
    try {
      const size = fstatSync(fd).size;
      const tail = readExactly(fd, 8, size - 8);
      const length = tail.readUInt32LE(0);
      footer = readExactly(fd, length + 8, size - 8 - length);
    } finally {
      closeSync(fd);
    }
    const meta = parquetMetadata(footer);
    const leaves = meta.schema.slice(1);
    if (leaves.length !== dataset.columns.length || meta.schema[0]?.num_children !== leaves.length)
      throw new UnsupportedParquetError('columns differ from the dataset');
    const maxDefinition: number[] = [];
    dataset.columns.forEach((c, i) => {
      const leaf = leaves[i]!;
      const type = plan.types[i]!;
      const converted =
        leaf.converted_type === 'INT_32' || leaf.converted_type === 'INT_64'
          ? undefined
          : leaf.converted_type;
      if (leaf.name !== c.name || leaf.type !== type.physical || converted !== type.converted)
        throw new UnsupportedParquetError(`column ${c.name} is stored differently`);
      if (leaf.repetition_type === 'REPEATED') throw new UnsupportedParquetError('repeated column');
      maxDefinition.push(leaf.repetition_type === 'OPTIONAL' ? 1 : 0);
    });
    const keyType = plan.types[plan.key]!;
    const groups = meta.row_groups.map((g): RowGroupLayout => {
      const rows = Number(g.num_rows);
      const chunks = g.columns.map((c, i): ChunkLocation => {
        const m = c.meta_data;
        if (!m || c.file_path) throw new UnsupportedParquetError('column chunk elsewhere');
        const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
        return {
          start,
          length: Number(m.total_compressed_size),
          codec: m.codec,
          physical: plan.types[i]!.physical,
          maxDefinition: maxDefinition[i]!,
          rows,
        };
      });
      const stats = g.columns[plan.key]?.meta_data?.statistics;
      return {
        chunks,
        keyMin: statValue(keyType, stats?.min_value),
        keyMax: statValue(keyType, stats?.max_value),
      };
    });
    const layout = { groups };
    if (this.layouts.size >= this.maxFiles) this.layouts.delete(this.layouts.keys().next().value!);
    this.layouts.set(cacheKey, layout);
    return layout;
  }
}

/** Compares rows `a` and `b` by the sort key columns, in DuckDB's order. */
function compareKeys(keys: RawValue[][], a: number, b: number): number {
  for (const column of keys) {
    const c = compareRaw(column[a]!, column[b]!);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Rows of a chunk (among `rows`, ascending, or all) whose value passes `test`; a dictionary's
 * entries are tested once each.
 */
function matchRows(chunk: DecodedChunk, test: (v: RawValue) => boolean, rows?: number[]): number[] {
  const out: number[] = [];
  const dict = chunk.dictionary;
  if (dict) {
    const ok = new Uint8Array(dict.length + 1);
    for (let i = 0; i < dict.length; i++) ok[i + 1] = test(dict.get(i)) ? 1 : 0;
    ok[0] = test(null) ? 1 : 0;
    for (const page of chunk.pages) {
      const slot = page.slot!;
      const first = page.first;
      if (rows) {
        for (const r of rows) {
          const local = r - first;
          if (local >= 0 && local < page.rows && ok[slot[local]! + 1] === 1) out.push(r);
        }
      } else {
        for (let k = 0; k < page.rows; k++) if (ok[slot[k]! + 1] === 1) out.push(first + k);
      }
    }
    return out;
  }
  if (rows) {
    for (const r of rows) if (test(valueAt(chunk, r))) out.push(r);
  } else {
    for (let r = 0; r < chunk.rows; r++) if (test(valueAt(chunk, r))) out.push(r);
  }
  return out;
}
