import type { DatasetSpec } from './dataset-spec.js';
import { ident, literal } from './sql.js';

/**
 * SQL that computes a row's partition folder (`year=2024`, `date=2024-01-02`, `symbol=BRK.B`),
 * or `''` for unpartitioned datasets, from the partition column (or `value`, an expression of
 * the column's type). Column values are escaped as Hive does (%XX for characters that are unsafe
 * in a path), so Spark and Trino decode the same values.
 */
export function partitionSql(spec: DatasetSpec, value?: string): string {
  const p = spec.partitioning;
  if (p.kind === 'none') return `''`;
  const col = value ?? ident(p.column);
  switch (p.kind) {
    case 'year':
      return `'year=' || strftime(${col}, '%Y')`;
    case 'month':
      return `'month=' || strftime(${col}, '%Y-%m')`;
    case 'date':
      return `'date=' || strftime(${col}, '%Y-%m-%d')`;
    case 'column':
      return `${literal(p.column + '=')} || ${escapeSql(`CAST(${col} AS VARCHAR)`)}`;
  }
}

/**
 * SQL for what a staged row holds in `_part`: a value that two rows share exactly when they share
 * a folder (`partitionSql`), cheaper to compute, store and compare than the folder name. A year
 * is an integer: building the name for each of the S&P file's 619k rows took 40 ms of a 180 ms
 * staging query. Each partition's name is built once, from one of its rows
 * (`readPartitionGroups`).
 */
export function partitionKeySql(spec: DatasetSpec): string {
  const p = spec.partitioning;
  switch (p.kind) {
    case 'none':
      return `''`;
    case 'year':
      return `year(${ident(p.column)})`;
    case 'month':
      // Months 1-12 make year * 100 + month unique for every year, negative ones included.
      return `year(${ident(p.column)}) * 100 + month(${ident(p.column)})`;
    case 'date':
      return `CAST(${ident(p.column)} AS DATE)`;
    case 'column':
      return partitionSql(spec);
  }
}

/** The SQL type of `partitionKeySql`'s values. */
export function partitionKeyType(spec: DatasetSpec): 'BIGINT' | 'DATE' | 'VARCHAR' {
  const kind = spec.partitioning.kind;
  return kind === 'year' || kind === 'month' ? 'BIGINT' : kind === 'date' ? 'DATE' : 'VARCHAR';
}

const UNSAFE = [
  '%',
  '/',
  '\\',
  ':',
  '=',
  '"',
  "'",
  '#',
  '?',
  '*',
  '[',
  ']',
  '^',
  '{',
  '}',
  '\n',
  '\r',
  '\t',
];

function escapeSql(valueSql: string): string {
  // '%' first so later escapes are not escaped twice.
  let expr = valueSql;
  for (const ch of UNSAFE) {
    const hex = '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
    const lit =
      ch === "'"
        ? "''"
        : ch === '\n'
          ? "' || chr(10) || '"
          : ch === '\r'
            ? "' || chr(13) || '"
            : ch === '\t'
              ? "' || chr(9) || '"
              : ch;
    expr = `replace(${expr}, '${lit}', '${hex}')`;
  }
  return expr;
}

/** Escapes a partition value the way `partitionSql` does, for values given by users. */
export function escapePartitionValue(value: string): string {
  let out = '';
  for (const ch of value)
    out += UNSAFE.includes(ch)
      ? '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')
      : ch;
  return out;
}

/**
 * Normalizes a user-given partition (`2024`, `year=2024`, `AAPL`) to its folder name, so the CLI
 * and API accept the short form.
 */
export function normalizePartition(spec: DatasetSpec, partition: string): string {
  const p = spec.partitioning;
  if (p.kind === 'none') return '';
  const key = p.kind === 'column' ? p.column : p.kind;
  if (partition.startsWith(`${key}=`)) return partition;
  return `${key}=${p.kind === 'column' ? escapePartitionValue(partition) : partition}`;
}
