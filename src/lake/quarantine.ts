import type { MetaStore } from '../meta/index.js';

/** A row an import could not accept. */
export interface QuarantinedRow {
  id?: number;
  dataset: string;
  importId: string;
  sourceFile: string;
  /** 1-based line in the source file (for Parquet: the row number). */
  line: number | null;
  raw: string;
  reason: string;
  createdAt?: string;
}

/** Stores quarantined rows (every one of them; no cap). */
export async function addQuarantined(
  store: MetaStore,
  rows: readonly QuarantinedRow[],
): Promise<void> {
  const now = new Date().toISOString();
  for (let i = 0; i < rows.length; i += 500) {
    await store.db
      .insertInto('quarantine')
      .values(
        rows.slice(i, i + 500).map((r) => ({
          dataset: r.dataset,
          import_id: r.importId,
          source_file: r.sourceFile,
          line: r.line,
          raw: r.raw,
          reason: r.reason,
          created_at: now,
        })),
      )
      .execute();
  }
}

/** Filters for `listQuarantined`. */
export interface QuarantineQuery {
  dataset?: string;
  importId?: string;
  limit?: number;
  /** Return rows with id greater than this (pagination). */
  afterId?: number;
}

/** Quarantined rows, oldest first. */
export async function listQuarantined(
  store: MetaStore,
  query: QuarantineQuery = {},
): Promise<QuarantinedRow[]> {
  let q = store.db.selectFrom('quarantine').selectAll();
  if (query.dataset) q = q.where('dataset', '=', query.dataset);
  if (query.importId) q = q.where('import_id', '=', query.importId);
  if (query.afterId !== undefined) q = q.where('id', '>', query.afterId);
  const rows = await q
    .orderBy('id')
    .limit(query.limit ?? 1000)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    dataset: r.dataset,
    importId: r.import_id,
    sourceFile: r.source_file,
    line: r.line === null ? null : Number(r.line),
    raw: r.raw,
    reason: r.reason,
    createdAt: r.created_at,
  }));
}
