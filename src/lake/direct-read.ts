import { closeSync, openSync } from 'node:fs';
import type { Dataset } from './dataset-spec.js';
import { typeSpecs, type TypeSpec } from './direct-types.js';
import { compareRaw, OrderedRows } from './duck-order.js';
import { decodeChunk, valueAt, type DecodedChunk } from './parquet-chunk.js';
import { LayoutCache, readRange, type RowGroupLayout } from './parquet-layouts.js';
import { PageArena } from './parquet-page.js';
import type { RawValue } from './parquet-values.js';
import type { ReadFilter, ReadOptions } from './read-options.js';

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
  /** Every column the read touches (conditions, output, order). */
  needed: number[];
  limit: number;
  types: TypeSpec[];
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
  private readonly layouts: LayoutCache;
  private readonly arena = new PageArena();

  constructor(
    maxFiles = 512,
    private readonly maxRows = 500_000,
  ) {
    this.layouts = new LayoutCache(maxFiles);
  }

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
    const types = typeSpecs(dataset);
    if (!types) return undefined;
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
      needed: [...new Set([...conditions.map((c) => c.column), ...output, ...order])],
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
    // The row groups that can hold the key, chosen before anything is decoded: a lookup that
    // would decode more than `maxRows` rows (a long history of minute bars, say) goes to
    // DuckDB, which streams it off this thread.
    const picks = files.map((file) => {
      const groups = this.layouts
        .get(file, dataset, plan.types, plan.key)
        .groups.filter(
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
    const names = dataset.columns.map((c) => c.name);
    const rows = new OrderedRows(plan.order.length);
    for (const { file, groups } of picks) {
      const fd = openSync(file, 'r');
      try {
        for (const group of groups) this.readGroup(fd, group, plan, names, rows);
      } finally {
        closeSync(fd);
      }
    }
    return rows.take(plan.limit);
  }

  /** Adds the rows of one row group that pass the plan's conditions to `out`. */
  private readGroup(
    fd: number,
    group: RowGroupLayout,
    plan: Plan,
    names: readonly string[],
    out: OrderedRows,
  ): void {
    const chunks = plan.needed.map((i) => group.chunks[i]!);
    const start = Math.min(...chunks.map((c) => c.start));
    const end = Math.max(...chunks.map((c) => c.start + c.length));
    const bytes = readRange(fd, end - start, start);
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
      if (rows.length === 0) return;
    }
    if (!rows) return;
    const output = plan.output.map((i) => ({
      name: names[i]!,
      chunk: column(i),
      type: plan.types[i]!,
    }));
    const keys = plan.order.map((i) => column(i));
    for (const r of rows) {
      const row: Record<string, unknown> = {};
      for (const o of output) row[o.name] = o.type.json(valueAt(o.chunk, r));
      out.add(row, (k) => valueAt(keys[k]!, r));
    }
  }
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
