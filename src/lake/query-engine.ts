import type { DuckDBConnection } from '@duckdb/node-api';
import { messageOf } from '../core/index.js';
import type { MetaStore } from '../meta/index.js';
import { filesAt } from './catalog.js';
import type { DuckEngine } from './duck-engine.js';
import { LakeQueryFailedError, LakeQueryForbiddenError } from './errors.js';
import { readJsonRows } from './json-rows.js';
import type { LakeLayout } from './layout.js';
import { listDatasets } from './registry.js';
import { scanSql } from './scan.js';
import { ident } from './sql.js';

/** Result of a user query. */
export interface QueryResult {
  columns: { name: string; type: string }[];
  /** JSON-safe row objects (64-bit integers and decimals as strings, dates as ISO text). */
  rows: Record<string, unknown>[];
  /** True when more rows existed than `maxRows`. */
  truncated: boolean;
  /** Dataset versions the query saw. */
  versions: Record<string, number>;
}

// DuckDB statement types allowed for user SQL: SELECT (incl. DESCRIBE/SHOW/SUMMARIZE) and EXPLAIN.
const ALLOWED_STATEMENT_TYPES = new Set([1, 4]);

/** `EXPLAIN`, `EXPLAIN ANALYZE` or `EXPLAIN (options)` in front of the explained statement. */
const EXPLAIN_PREFIX = /^\s*explain(?:\s+analy[sz]e\b|\s*\([^)]*\))?\s*/i;

const FORBIDDEN_MESSAGE =
  'Only read-only queries are allowed (SELECT, WITH ... SELECT, DESCRIBE, SUMMARIZE, EXPLAIN). Writes go through `marketlake lake import` or pipelines.';

/** Turns a DuckDB error into a forbidden (sandbox) or failed (user mistake) query error. */
function queryError(err: unknown): LakeQueryForbiddenError | LakeQueryFailedError {
  const message = messageOf(err).split('\n')[0] ?? '';
  if (/Permission Error|disabled by configuration/i.test(message)) {
    return new LakeQueryForbiddenError(
      `Query refused: ${message}. User SQL may only read the lake's datasets.`,
      { cause: err },
    );
  }
  return new LakeQueryFailedError(`Query failed: ${message}`, { cause: err });
}

/**
 * Read-only SQL over the lake. Runs in a sandboxed DuckDB (external access off except for the
 * lake folder, configuration locked) and accepts one SELECT or EXPLAIN statement; every dataset
 * is a view over the files of its committed head version.
 */
export class QueryEngine {
  private readonly views = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: DuckEngine,
    private readonly store: MetaStore,
    private readonly layout: LakeLayout,
  ) {}

  /** Runs one read-only statement and returns at most `maxRows` rows. */
  query(sql: string, options: { maxRows?: number } = {}): Promise<QueryResult> {
    const run = this.queue.then(() => this.run(sql, options.maxRows ?? 10_000));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(sql: string, maxRows: number): Promise<QueryResult> {
    // A connection per query: temp objects a query creates (e.g. read_csv's rejects_table) must not
    // outlive it, or one query could shadow a dataset's view for every later query.
    const conn = await this.engine.connect();
    try {
      return await this.runOn(conn, sql, maxRows);
    } finally {
      conn.closeSync();
    }
  }

  private async runOn(conn: DuckDBConnection, sql: string, maxRows: number): Promise<QueryResult> {
    const versions = await this.refreshViews(conn);
    const prepared = await (async () => {
      const extracted = await conn.extractStatements(sql);
      if (extracted.count !== 1) {
        throw new LakeQueryForbiddenError(
          `Send exactly one SQL statement (got ${extracted.count}).`,
          { details: { statements: extracted.count } },
        );
      }
      await assertSelect(conn, sql);
      return extracted.prepare(0);
    })().catch((err: unknown) => {
      throw err instanceof LakeQueryForbiddenError ? err : queryError(err);
    });
    const statementType = prepared.statementType as number;
    if (!ALLOWED_STATEMENT_TYPES.has(statementType)) {
      throw new LakeQueryForbiddenError(FORBIDDEN_MESSAGE, { details: { statementType } });
    }
    try {
      // Streamed, so a large result is not materialized past the rows returned.
      const { columns, rows, truncated } = await readJsonRows(await prepared.stream(), maxRows);
      return { columns, rows, truncated, versions };
    } catch (err) {
      throw queryError(err);
    }
  }

  private async refreshViews(conn: DuckDBConnection): Promise<Record<string, number>> {
    const versions: Record<string, number> = {};
    for (const d of await listDatasets(this.store)) {
      versions[d.name] = d.headVersion;
      if (this.views.get(d.name) === d.headVersion) continue;
      const files = d.headVersion === 0 ? [] : await filesAt(this.store, d.name, d.headVersion);
      await conn.run(
        `CREATE OR REPLACE VIEW ${ident(d.name)} AS ${scanSql(d, this.layout, files)}`,
      );
      this.views.set(d.name, d.headVersion);
    }
    return versions;
  }

  /** Forgets the views' versions (each query's connection is already closed; the engine is closed by its owner). */
  close(): void {
    this.views.clear();
  }
}

/** Whether DuckDB's parser (no binding) sees exactly one SELECT statement in `text`. */
async function parsesAsSelect(conn: DuckDBConnection, text: string): Promise<boolean> {
  const reader = await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [text]);
  const json = reader.getRowObjectsJson()[0]?.['tree'];
  const tree = (typeof json === 'string' ? JSON.parse(json) : {}) as {
    error?: boolean;
    statements?: unknown[];
  };
  return tree.error !== true && tree.statements?.length === 1;
}

/**
 * Refuses anything but a SELECT, optionally under EXPLAIN, judging from the parse tree alone:
 * preparing a statement can already touch files (EXPORT DATABASE creates its folder when bound),
 * and EXPLAIN ANALYZE runs the statement it explains (EXPLAIN ANALYZE COPY ... TO writes).
 */
async function assertSelect(conn: DuckDBConnection, sql: string): Promise<void> {
  if (await parsesAsSelect(conn, sql)) return;
  const explain = EXPLAIN_PREFIX.exec(sql);
  if (explain && (await parsesAsSelect(conn, sql.slice(explain[0].length)))) return;
  throw new LakeQueryForbiddenError(FORBIDDEN_MESSAGE, { details: { sql: sql.slice(0, 200) } });
}
