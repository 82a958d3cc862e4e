import type { DuckDBValue } from '@duckdb/node-api';
import { filesAt, getVersion, type LakeFile } from './catalog.js';
import type { Dataset } from './dataset-spec.js';
import { messageOf } from '../core/index.js';
import { LakeQueryFailedError, LakeSchemaInvalidError } from './errors.js';
import type { LakeContext } from './lake-context.js';
import { scanSql } from './scan.js';
import { ident } from './sql.js';
import type { ReadFilter, ReadOptions } from './read-options.js';

export type { ReadFilter, ReadOptions } from './read-options.js';

/** Rows read from one version of a dataset, as JSON-safe objects (64-bit integers as strings). */
export interface ReadResult {
  dataset: string;
  version: number;
  rows: Record<string, unknown>[];
}

function assertColumns(dataset: Dataset, names: readonly string[]): void {
  for (const n of names) {
    if (!dataset.columns.some((c) => c.name === n)) {
      throw new LakeSchemaInvalidError(
        `Dataset "${dataset.name}" has no column "${n}" (columns: ${dataset.columns.map((c) => c.name).join(', ')}).`,
        {
          details: { dataset: dataset.name, column: n },
        },
      );
    }
  }
}

const NUMERIC_TYPES: readonly string[] = ['DOUBLE', 'BIGINT', 'INTEGER'];

/**
 * Keeps only files whose key range can hold rows matching a filter on the first key column.
 * Compares by the column's type (a filter arrives as text from the CLI and API, and `'10' < '2'`
 * as text); for types whose text forms vary (dates, timestamps) it keeps every file.
 */
function prune(dataset: Dataset, files: LakeFile[], where: Record<string, ReadFilter>): LakeFile[] {
  const first = dataset.primaryKey[0];
  const filter = first === undefined ? undefined : where[first];
  if (
    filter === undefined ||
    typeof filter === 'object' ||
    files.some((f) => f.minKey.length === 0)
  )
    return files;
  const type = dataset.columns.find((c) => c.name === first)?.type ?? '';
  if (NUMERIC_TYPES.includes(type)) {
    const v = Number(filter);
    if (Number.isNaN(v)) return files;
    return files.filter((f) => !(v < Number(f.minKey[0])) && !(Number(f.maxKey[0]) < v));
  }
  if (type !== 'VARCHAR') return files;
  const v = String(filter);
  return files.filter((f) => !(v < String(f.minKey[0])) && !(String(f.maxKey[0]) < v));
}

/** Reads rows of a committed version; the file list comes from the catalog, never from a glob. */
export async function readDataset(
  ctx: LakeContext,
  dataset: Dataset,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const version = options.version ?? dataset.headVersion;
  if (options.version !== undefined) await getVersion(ctx.store, dataset.name, version);
  const where = options.where ?? {};
  assertColumns(dataset, [
    ...(options.columns ?? []),
    ...Object.keys(where),
    ...(options.orderBy ?? []),
  ]);
  const files = prune(
    dataset,
    version === 0 ? [] : await filesAt(ctx.store, dataset.name, version),
    where,
  );
  const direct = ctx.direct?.read(
    dataset,
    files.map((f) => ctx.layout.absolute(f.path)),
    options,
  );
  if (direct) return { dataset: dataset.name, version, rows: direct };
  const params: DuckDBValue[] = [];
  const conditions: string[] = [];
  for (const [col, f] of Object.entries(where)) {
    const type = dataset.columns.find((c) => c.name === col)?.type ?? 'VARCHAR';
    const param = (value: string | number | boolean): string => {
      params.push(value);
      return `CAST($${params.length} AS ${type})`;
    };
    if (typeof f === 'object') {
      if (f.from !== undefined) conditions.push(`${ident(col)} >= ${param(f.from)}`);
      if (f.to !== undefined) conditions.push(`${ident(col)} <= ${param(f.to)}`);
    } else {
      conditions.push(`${ident(col)} = ${param(f)}`);
    }
  }
  const cols = (options.columns ?? dataset.columns.map((c) => c.name)).map(ident).join(', ');
  const order = options.orderBy ?? dataset.primaryKey;
  const sql = `SELECT ${cols} FROM (${scanSql(dataset, ctx.layout, files)})${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}${
    order.length ? ` ORDER BY ${order.map(ident).join(', ')}` : ''
  }${options.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(options.limit))}` : ''}`;
  try {
    return { dataset: dataset.name, version, rows: await ctx.reads.query(sql, params) };
  } catch (err) {
    const message = messageOf(err).split('\n')[0] ?? '';
    // A filter value DuckDB cannot cast to its column's type is the caller's to fix; anything
    // else while reading committed files points at a damaged file.
    const hint = /^Conversion Error/.test(message)
      ? `Check the filter values: each is cast to its column's type (dates as YYYY-MM-DD).`
      : `If one of its files is damaged, restore it from a backup or read an earlier version (marketlake lake history ${dataset.name}).`;
    throw new LakeQueryFailedError(
      `Reading "${dataset.name}" version ${version} failed in DuckDB: ${message}. ${hint}`,
      { cause: err, details: { dataset: dataset.name, version } },
    );
  }
}
