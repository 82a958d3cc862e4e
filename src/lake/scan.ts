import type { DatasetSpec } from './dataset-spec.js';
import type { LakeLayout } from './layout.js';
import { ident, pathList } from './sql.js';

/**
 * SQL that reads the given lake files as the dataset's columns, in schema order. An empty file
 * list yields an empty, correctly typed relation. For column partitioning the partition column
 * lives in the folder name (as Hive does), so it is read back from the path.
 */
export function scanSql(
  spec: DatasetSpec,
  layout: LakeLayout,
  files: readonly { path: string }[],
): string {
  const cols = spec.columns.map((c) => `${ident(c.name)}`).join(', ');
  if (files.length === 0) {
    const nulls = spec.columns.map((c) => `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`).join(', ');
    return `SELECT ${nulls} WHERE false`;
  }
  const paths = pathList(files.map((f) => layout.absolute(f.path)));
  const p = spec.partitioning;
  if (p.kind === 'column') {
    const type = spec.columns.find((c) => c.name === p.column)?.type ?? 'VARCHAR';
    return `SELECT ${cols} FROM read_parquet(${paths}, hive_partitioning = true, hive_types = {${ident(p.column).replace(/"/g, "'")}: ${type}})`;
  }
  return `SELECT ${cols} FROM read_parquet(${paths}, hive_partitioning = false)`;
}

/** Columns stored inside a data file (all but a column-partitioning key, which is in the path). */
export function fileColumns(spec: DatasetSpec): string[] {
  const p = spec.partitioning;
  return spec.columns.map((c) => c.name).filter((n) => !(p.kind === 'column' && n === p.column));
}
