import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from './dataset-spec.js';
import { ident, literal } from './sql.js';

/** Rows the guess of `looksPresorted` looks at. */
const GUESS_ROWS = 16_384;

/**
 * The columns a lake file is sorted by: the primary key, less a column-partitioning key (kept in
 * the folder name and the same in every row of a file).
 */
export function fileSortKey(dataset: Dataset): string[] {
  const p = dataset.partitioning;
  return dataset.primaryKey.filter((k) => !(p.kind === 'column' && k === p.column));
}

/**
 * Whether the key `a` is greater than (`>`), equal to (`=`) or less than (`<`) the key `b`, as
 * column-by-column comparisons: DuckDB compares plain columns far faster than row values. Key
 * columns hold no NULLs; a comparison with a missing key (NULLs) is NULL and counts nowhere.
 */
function compareKeys(a: readonly string[], b: readonly string[], op: '>' | '=' | '<'): string {
  if (op === '=') return `(${a.map((x, i) => `${x} = ${b[i]}`).join(' AND ')})`;
  // a1 op b1 OR (a1 = b1 AND (a2 op b2 OR (...)))
  let sql = `${a.at(-1)} ${op} ${b.at(-1)}`;
  for (let i = a.length - 2; i >= 0; i--) {
    sql = `${a[i]} ${op} ${b[i]} OR (${a[i]} = ${b[i]} AND (${sql}))`;
  }
  return `(${sql})`;
}

/**
 * Whether a staged table's good rows seem to be in key order within each partition already, as
 * a history file sorted by symbol and date is: true when its first rows are. A partition written
 * unsorted on this guess is checked at once (`checkKeyOrder`) and written again, sorted, if the
 * guess was wrong, so the guess only decides how much work a write does.
 */
export async function looksPresorted(
  conn: DuckDBConnection,
  dataset: Dataset,
  table: string,
): Promise<boolean> {
  const keys = fileSortKey(dataset);
  if (keys.length === 0) return false;
  const own = keys.map(ident);
  const prev = keys.map((_, i) => `_p${i}`);
  const lags = keys
    .map((k, i) => `lag(${ident(k)}) OVER (PARTITION BY _part ORDER BY _r) AS _p${i}`)
    .join(', ');
  const first = `SELECT rowid AS _r, _part, ${own.join(', ')} FROM ${ident(table)} WHERE _reason IS NULL LIMIT ${GUESS_ROWS}`;
  const row = (
    await conn.runAndReadAll(
      `SELECT count(*) FILTER (WHERE NOT ${compareKeys(own, prev, '>')})::BIGINT AS bad FROM (SELECT ${own.join(', ')}, ${lags} FROM (${first})) WHERE _p0 IS NOT NULL`,
    )
  ).getRowObjectsJson()[0];
  return Number(row?.['bad'] ?? 1) === 0;
}

/** How a written file's rows stand against its sort key. */
export interface KeyOrder {
  /** Rows whose key is greater than the next row's. */
  unordered: number;
  /** Rows whose key equals the next row's: duplicate keys. */
  repeated: number;
}

/**
 * Compares each row of a written Parquet file with the next row by the file's sort key. A file in
 * the lake has no `unordered` and no `repeated` rows: that proves it sorted and free of duplicate
 * keys in one pass over its key columns, cheaper than hashing every key of a large write (one
 * query per file: a query over many files pairs their rows on one thread, three times slower).
 */
export async function checkKeyOrder(
  conn: DuckDBConnection,
  dataset: Dataset,
  file: string,
): Promise<KeyOrder> {
  if (dataset.primaryKey.length === 0) return { unordered: 0, repeated: 0 };
  const keys = fileSortKey(dataset);
  const source = `read_parquet(${literal(file)})`;
  // Each row (a) beside the row after it (b), paired by position.
  const own = keys.map((k) => `a.${ident(k)}`);
  const next = keys.map((_, i) => `b._n${i}`);
  const sql =
    keys.length === 0
      ? // The whole key is the partition column: a file holds one key, so every row after its
        // first repeats it.
        `SELECT 0 AS unordered, count(*) - 1 AS repeated FROM ${source}`
      : `SELECT count(*) FILTER (WHERE ${compareKeys(own, next, '>')}) AS unordered, count(*) FILTER (WHERE ${compareKeys(own, next, '=')}) AS repeated FROM (SELECT ${keys.map(ident).join(', ')} FROM ${source}) AS a POSITIONAL JOIN (SELECT ${keys.map((k, i) => `${ident(k)} AS _n${i}`).join(', ')} FROM ${source} OFFSET 1) AS b`;
  const row = (
    await conn.runAndReadAll(
      `SELECT unordered::BIGINT AS u, greatest(repeated, 0)::BIGINT AS r FROM (${sql})`,
    )
  ).getRowObjectsJson()[0];
  return { unordered: Number(row?.['u'] ?? 0), repeated: Number(row?.['r'] ?? 0) };
}
