import type { DuckDBConnection } from '@duckdb/node-api';
import { messageOf } from '../core/index.js';
import type { MetaStore } from '../meta/index.js';
import { filesAt } from './catalog.js';
import type { DuckEngine } from './duck-engine.js';
import { LakeQueryFailedError, LakeQueryForbiddenError } from './errors.js';
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

/** Turns a DuckDB error into a forbidden (sandbox) or failed (user mistake) query error. */
function queryError(err: unknown): LakeQueryForbiddenError | LakeQueryFailedError {
  const message = messageOf(err).split('\n')[0] ?? '';
  if (/Permission Error|disabled by configuration/i.test(message)) {
    return new LakeQueryForbiddenError(`Query refused: ${message}. User SQL may only read the lake's datasets.`, { cause: err });
  }
  return new LakeQueryFailedError(`Query failed: ${message}`, { cause: err });
}

/**
 * Read-only SQL over the lake. Runs in a sandboxed DuckDB (external access off except for the
 * lake folder, configuration locked) and accepts one SELECT or EXPLAIN statement; every dataset
 * is a view over the files of its committed head version.
 */
export class QueryEngine {
  private conn: DuckDBConnection | undefined;
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
    this.conn ??= await this.engine.connect();
    const conn = this.conn;
    const versions = await this.refreshViews(conn);
    const prepared = await (async () => {
      const extracted = await conn.extractStatements(sql);
      if (extracted.count !== 1) {
        throw new LakeQueryForbiddenError(`Send exactly one SQL statement (got ${extracted.count}).`, { details: { statements: extracted.count } });
      }
      return extracted.prepare(0);
    })().catch((err: unknown) => {
      throw err instanceof LakeQueryForbiddenError ? err : queryError(err);
    });
    const statementType = prepared.statementType as number;
    if (!ALLOWED_STATEMENT_TYPES.has(statementType)) {
      throw new LakeQueryForbiddenError(
        'Only read-only queries are allowed (SELECT, WITH ... SELECT, DESCRIBE, SUMMARIZE, EXPLAIN). Writes go through `marketlake lake import` or pipelines.',
        { details: { statementType } },
      );
    }
    try {
      const reader = await prepared.runAndReadUntil(maxRows + 1);
      const names = reader.columnNames();
      const types = reader.columnTypes().map((t) => t.toString());
      const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
      const truncated = rows.length > maxRows;
      return { columns: names.map((name, i) => ({ name, type: types[i] ?? '' })), rows: rows.slice(0, maxRows), truncated, versions };
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
      await conn.run(`CREATE OR REPLACE VIEW ${ident(d.name)} AS ${scanSql(d, this.layout, files)}`);
      this.views.set(d.name, d.headVersion);
    }
    return versions;
  }

  /** Closes the connection (the engine is closed by its owner). */
  close(): void {
    this.conn?.closeSync();
    this.conn = undefined;
  }
}
