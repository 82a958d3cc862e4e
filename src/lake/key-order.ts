import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from './dataset-spec.js';
import { ident, pathList } from './sql.js';

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
 * Whether the key `a` is greater than (`>`) or equal to (`=`) the key `b`, as column-by-column
 * comparisons: DuckDB compares plain columns far faster than row values. Key columns hold no
 * NULLs; a comparison with a missing key (NULLs) is NULL and counts nowhere.
 */
function compareKeys(a: readonly string[], b: readonly string[], op: '>' | '='): string {
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
 * a history file sorted by symbol and date is: true when its first rows are. Every file written
 * unsorted on this guess is checked (`checkKeyOrder`) and written again, sorted, if the guess was
 * wrong for it, so the guess only decides how much work a write does.
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

/** Files up to this many rows in all are checked in one query (see `checkKeyOrder`). */
const BATCH_ROWS = 250_000;

/**
 * Compares each row of written Parquet files with the next row of the same file, by the files'
 * sort key, and returns what it found for each file (in the order given). A file in the lake has
 * no `unordered` and no `repeated` rows: that proves it sorted and free of duplicate keys in one
 * pass over its key columns, cheaper than hashing every key of a large write. Files of up to
 * `BATCH_ROWS` rows in all share one query (a query costs a few milliseconds whatever its size,
 * which adds up over a write of 80 daily partitions); larger files get a query each, since one
 * query pairs the rows of all its files on one thread (three times slower on 10M rows).
 */
export async function checkKeyOrder(
  conn: DuckDBConnection,
  dataset: Dataset,
  files: readonly { path: string; rows: number }[],
): Promise<KeyOrder[]> {
  const found = files.map(() => ({ unordered: 0, repeated: 0 }));
  if (dataset.primaryKey.length === 0) return found;
  let batch: number[] = [];
  let rows = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const orders = await checkFiles(
      conn,
      dataset,
      batch.map((i) => files[i]?.path ?? ''),
    );
    batch.forEach((i, k) => Object.assign(found[i] ?? {}, orders[k]));
    batch = [];
    rows = 0;
  };
  for (const [i, f] of files.entries()) {
    if (batch.length > 0 && rows + f.rows > BATCH_ROWS) await flush();
    batch.push(i);
    rows += f.rows;
  }
  await flush();
  return found;
}

/** One query of `checkKeyOrder` over some files. */
async function checkFiles(
  conn: DuckDBConnection,
  dataset: Dataset,
  paths: readonly string[],
): Promise<KeyOrder[]> {
  const keys = fileSortKey(dataset);
  const source = `read_parquet(${pathList(paths)})`;
  // Each row (a) beside the row after it (b), paired by position; a pair spanning two files is
  // left out.
  const own = keys.map((k) => `a.${ident(k)}`);
  const next = keys.map((_, i) => `b._n${i}`);
  const sql =
    keys.length === 0
      ? // The whole key is the partition column: a file holds one key, so every row after its
        // first repeats it.
        `SELECT file_index, 0 AS unordered, count(*) - 1 AS repeated FROM ${source} GROUP BY file_index`
      : `SELECT a.file_index, count(*) FILTER (WHERE ${compareKeys(own, next, '>')}) AS unordered, count(*) FILTER (WHERE ${compareKeys(own, next, '=')}) AS repeated FROM (SELECT file_index, ${keys.map(ident).join(', ')} FROM ${source}) AS a POSITIONAL JOIN (SELECT file_index AS _nf, ${keys.map((k, i) => `${ident(k)} AS _n${i}`).join(', ')} FROM ${source} OFFSET 1) AS b WHERE a.file_index = b._nf GROUP BY a.file_index`;
  const result = await conn.runAndReadAll(
    `SELECT file_index::INTEGER AS f, unordered::BIGINT AS u, greatest(repeated, 0)::BIGINT AS r FROM (${sql})`,
  );
  const orders = paths.map(() => ({ unordered: 0, repeated: 0 }));
  for (const r of result.getRowObjectsJson()) {
    const entry = orders[Number(r['f'])];
    if (entry) Object.assign(entry, { unordered: Number(r['u']), repeated: Number(r['r']) });
  }
  return orders;
}
