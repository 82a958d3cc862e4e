import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnType, DatasetSpec } from './dataset-spec.js';
import { LakeBadDataError } from './errors.js';
import { ident, text } from './sql.js';

/** Row-oriented data: one object per row, keyed by column name. */
export type RowsInput = readonly Readonly<Record<string, unknown>>[];

/**
 * The part of an Apache Arrow `Table` the lake needs (an `apache-arrow` Table satisfies it):
 * field names, and iteration over rows.
 */
export interface ArrowTableLike {
  schema: { fields: readonly { name: string }[] };
  [Symbol.iterator](): Iterator<unknown>;
}

function toText(value: unknown, type: ColumnType | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date)
    return type === 'DATE'
      ? value.toISOString().slice(0, 10)
      : value.toISOString().replace('T', ' ').replace('Z', '');
  if (
    typeof value === 'number' &&
    (type === 'DATE' || type === 'TIMESTAMP' || type === 'TIMESTAMPTZ')
  ) {
    // Arrow dates and timestamps arrive as epoch milliseconds.
    return toText(new Date(value), type);
  }
  return text(value);
}

/**
 * Loads rows into a temp table of text columns (one per key), in order, so that they go through
 * the same conversion and checks as imported files.
 */
export async function loadRows(
  conn: DuckDBConnection,
  spec: DatasetSpec,
  rows: Iterable<Readonly<Record<string, unknown>>>,
  table: string,
  keys?: readonly string[],
): Promise<string[]> {
  const list = Array.isArray(rows) ? (rows as Readonly<Record<string, unknown>>[]) : [...rows];
  // No rows at all is a valid (empty) write, e.g. a replace that clears partitions.
  const columns = keys
    ? [...keys]
    : list.length === 0
      ? spec.columns.map((c) => c.name)
      : [...new Set(list.flatMap((r) => Object.keys(r)))];
  if (columns.length === 0) {
    throw new LakeBadDataError(
      `Nothing to write to ${spec.name}: the rows have no fields. Pass objects keyed by column name.`,
      {
        details: { dataset: spec.name },
      },
    );
  }
  const types = columns.map(
    (c) => spec.columns.find((s) => s.name.toLowerCase() === c.toLowerCase())?.type,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${ident(table)} (${columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`,
  );
  const appender = await conn.createAppender(table, 'main', 'temp');
  try {
    for (const row of list) {
      columns.forEach((c, i) => {
        const text = toText(row[c], types[i]);
        if (text === null) appender.appendNull();
        else appender.appendVarchar(text);
      });
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return columns;
}

/** Converts an Arrow table to row objects for `loadRows`. */
export function arrowRows(table: ArrowTableLike): {
  rows: Readonly<Record<string, unknown>>[];
  columns: string[];
} {
  const columns = table.schema.fields.map((f) => f.name);
  const rows: Record<string, unknown>[] = [];
  for (const row of table as Iterable<unknown>) {
    const r = row as { toJSON?: () => Record<string, unknown> } & Record<string, unknown>;
    rows.push(typeof r.toJSON === 'function' ? r.toJSON() : r);
  }
  return { rows, columns };
}
