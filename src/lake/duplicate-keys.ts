import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetSpec } from './dataset-spec.js';
import { ident } from './sql.js';

/** A primary key that occurs more than once in a write, with the row ordinals (`rowid + 1`) that carry it. */
export interface DuplicateKey {
  key: unknown[];
  ordinals: number[];
}

/**
 * Finds primary keys that occur more than once among a staged input's good rows. Writes call it
 * only once a commit has found a repeated key in a file it wrote (see `checkKeyOrder`): then this
 * names the keys and the rows that carry them.
 */
export async function findDuplicateKeys(
  conn: DuckDBConnection,
  spec: DatasetSpec,
  table: string,
  limit?: number,
): Promise<DuplicateKey[]> {
  if (spec.primaryKey.length === 0) return [];
  const pk = spec.primaryKey.map(ident).join(', ');
  const keyText = spec.primaryKey.map((k) => `CAST(${ident(k)} AS VARCHAR)`).join(', ');
  // Keys first, then ordinals for those keys only: collecting a list per key for every row of a
  // 10M-row import costs more memory than the import itself.
  const reader = await conn.runAndReadAll(
    `WITH d AS (SELECT ${pk} FROM ${ident(table)} WHERE _reason IS NULL GROUP BY ${pk} HAVING count(*) > 1)
     SELECT [${keyText}] AS key, list(t.rowid + 1 ORDER BY t.rowid) AS ords
     FROM ${ident(table)} AS t JOIN d USING (${pk}) WHERE t._reason IS NULL
     GROUP BY ${pk} ORDER BY min(t.rowid)${limit ? ` LIMIT ${limit}` : ''}`,
  );
  return (reader.getRowObjectsJson() as { key: unknown[]; ords: string[] }[]).map((r) => ({
    key: r.key,
    ordinals: r.ords.map(Number),
  }));
}

/**
 * Marks every row of a duplicated key as bad (an import cannot tell which copy is right). Their
 * text is rebuilt from the parsed values, since staging kept original text only for bad rows.
 */
export async function markDuplicates(
  conn: DuckDBConnection,
  spec: DatasetSpec,
  table: string,
  dups: readonly DuplicateKey[],
  describe: (ord: number) => string,
  columnSql?: ReadonlyMap<string, string>,
): Promise<void> {
  if (dups.length === 0) return;
  const values: string[] = [];
  for (const d of dups) {
    for (const ord of d.ordinals) {
      const others = d.ordinals
        .filter((o) => o !== ord)
        .map(describe)
        .join(', ');
      values.push(
        `(${ord}, '${`duplicate key (${d.key.map(String).join(', ')}), also at ${others}`.replace(/'/g, "''")}')`,
      );
    }
  }
  const rebuilt = spec.columns
    .map((c) => `COALESCE(CAST(${columnSql?.get(c.name) ?? `t.${ident(c.name)}`} AS VARCHAR), '')`)
    .join(', ');
  for (let i = 0; i < values.length; i += 1000) {
    await conn.run(
      `UPDATE ${ident(table)} AS t SET _reason = d.reason, _raw = concat_ws(',', ${rebuilt}) FROM (VALUES ${values.slice(i, i + 1000).join(', ')}) AS d(ord, reason) WHERE t.rowid + 1 = d.ord`,
    );
  }
}
