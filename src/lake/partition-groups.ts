import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from './dataset-spec.js';
import { partitionKeyType, partitionSql } from './partitions.js';
import { ident, literal, text } from './sql.js';

/** The good rows of a staged table that go to one partition. */
export interface PartitionGroup {
  /** Folder name (`year=2024`). */
  part: string;
  /** SQL condition that selects the group's staged rows (by their `_part`, see `partitionKeySql`). */
  where: string;
  rows: number;
  /** Raw value of the partition column (column partitioning only). */
  value: string | null;
  /** Smallest and largest primary key among the group's rows. */
  minKey: unknown[];
  maxKey: unknown[];
}

/** The column a column-partitioned dataset is partitioned by (kept in folder names, not files). */
function columnPartitionKey(dataset: Dataset): string | undefined {
  return dataset.partitioning.kind === 'column' ? dataset.partitioning.column : undefined;
}

/**
 * A key column as the catalog records it. A column-partition key is not stored in the file: it
 * is compared as text, like the folder name it comes from when a file is read back, and in a
 * written file (`partValue` given) it is the partition's value.
 */
function keyColumnSql(dataset: Dataset, k: string, partValue?: string | null): string {
  if (k !== columnPartitionKey(dataset)) return ident(k);
  return partValue === undefined ? `CAST(${ident(k)} AS VARCHAR)` : literal(partValue ?? '');
}

/** `mn` and `mx` columns: the smallest and largest primary key of a file, as JSON objects. */
function keyRangeSql(dataset: Dataset, partValue: string | null): string {
  const struct = dataset.primaryKey
    .map((k) => `${ident(k)} := ${keyColumnSql(dataset, k, partValue)}`)
    .join(', ');
  if (!struct) return 'NULL AS mn, NULL AS mx';
  return `CAST(to_json(min(struct_pack(${struct}))) AS VARCHAR) AS mn, CAST(to_json(max(struct_pack(${struct}))) AS VARCHAR) AS mx`;
}

/**
 * Rows, partition value and key range (`mn`, `mx`) of each partition of a staged table's good
 * rows. The key range is found in two steps, since comparing a struct per row is slow: group by
 * the partition and every key column but the last, keeping the last one's min and max; then the
 * lowest and highest (key prefix, min / max) over those groups are the partition's lowest and
 * highest keys. On 619k bars this takes half the time of `min(struct_pack(...))` over the rows.
 */
function partitionGroupsSql(dataset: Dataset, table: string): string {
  const partCol = columnPartitionKey(dataset);
  const prefix = dataset.primaryKey.slice(0, -1);
  const last = dataset.primaryKey.at(-1);
  const p = dataset.partitioning;
  // A time partition's folder name is built from one of its rows; `_part` holds a cheaper key.
  const timed = p.kind === 'year' || p.kind === 'month' || p.kind === 'date';
  const inner = [
    '_part',
    'count(*) AS _n',
    `${partCol ? `any_value(CAST(${ident(partCol)} AS VARCHAR))` : 'NULL'} AS _value`,
    ...(timed ? [`any_value(${ident(p.column)}) AS _pv`] : []),
    ...prefix.map((k, i) => `${keyColumnSql(dataset, k)} AS _k${i}`),
  ];
  let range = 'NULL AS mn, NULL AS mx';
  if (last !== undefined) {
    const lastSql = keyColumnSql(dataset, last);
    inner.push(`min(${lastSql}) AS _lo`, `max(${lastSql}) AS _hi`);
    const struct = (end: string): string =>
      [...prefix.map((k, i) => `${ident(k)} := _k${i}`), `${ident(last)} := ${end}`].join(', ');
    range = `CAST(to_json(min(struct_pack(${struct('_lo')}))) AS VARCHAR) AS mn, CAST(to_json(max(struct_pack(${struct('_hi')}))) AS VARCHAR) AS mx`;
  }
  const groupBy = ['_part', ...prefix.map((_, i) => `_k${i}`)].join(', ');
  return `WITH g AS (SELECT ${inner.join(', ')} FROM ${ident(table)} WHERE _reason IS NULL GROUP BY ${groupBy}) SELECT ${timed ? partitionSql(dataset, 'any_value(_pv)') : '_part'} AS part, CAST(_part AS VARCHAR) AS key, sum(_n)::BIGINT AS rows, any_value(_value) AS value, ${range} FROM g GROUP BY _part ORDER BY part`;
}

function keyOf(dataset: Dataset, json: unknown): unknown[] {
  if (typeof json !== 'string' || !json) return [];
  const obj = JSON.parse(json) as Record<string, unknown>;
  return dataset.primaryKey.map((k) => obj[k]);
}

/** The partitions a staged table's good rows go to, in folder order. */
export async function readPartitionGroups(
  conn: DuckDBConnection,
  dataset: Dataset,
  table: string,
): Promise<PartitionGroup[]> {
  return (await conn.runAndReadAll(partitionGroupsSql(dataset, table)))
    .getRowObjectsJson()
    .map((r) => ({
      part: text(r['part']),
      where: `_part = CAST(${literal(text(r['key']))} AS ${partitionKeyType(dataset)})`,
      rows: Number(r['rows']),
      value: r['value'] === null ? null : text(r['value']),
      minKey: keyOf(dataset, r['mn']),
      maxKey: keyOf(dataset, r['mx']),
    }));
}

/** Row count and key range of a written file (`partValue`: its column-partition value). */
export async function fileKeyStats(
  conn: DuckDBConnection,
  dataset: Dataset,
  file: string,
  partValue: string | null,
): Promise<{ n: number; minKey: unknown[]; maxKey: unknown[] }> {
  const row = (
    await conn.runAndReadAll(
      `SELECT count(*)::BIGINT AS n, ${keyRangeSql(dataset, partValue)} FROM read_parquet(${literal(file)})`,
    )
  ).getRowObjectsJson()[0] as { n: string; mn: unknown; mx: unknown };
  return { n: Number(row.n), minKey: keyOf(dataset, row.mn), maxKey: keyOf(dataset, row.mx) };
}
