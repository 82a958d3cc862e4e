import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { silentLogger, type Logger } from '../core/index.js';
import type { MetaStore } from '../meta/index.js';
import { filesAt, getVersion, history, type DatasetVersion, type LakeFile } from './catalog.js';
import { compactDataset, type CompactResult } from './compact.js';
import type { Dataset, DatasetSpec } from './dataset-spec.js';
import { DuckEngine } from './duck-engine.js';
import { findDuplicateKeys } from './duplicate-keys.js';
import { LakeBadDataError, LakeDuplicateKeysError } from './errors.js';
import { importFiles, type ImportOptions, type ImportResult } from './file-import.js';
import type { LakeContext } from './lake-context.js';
import { LakeLayout } from './layout.js';
import { listQuarantined, type QuarantinedRow, type QuarantineQuery } from './quarantine.js';
import { QueryEngine, type QueryResult } from './query-engine.js';
import { DirectReader } from './direct-read.js';
import { ReadSession } from './read-session.js';
import { readDataset, type ReadOptions, type ReadResult } from './read.js';
import { createDataset, ensureBuiltins, getDataset, listDatasets } from './registry.js';
import { scanSql } from './scan.js';
import { ident, text } from './sql.js';
import { stageInput } from './staged-input.js';
import { vacuumDataset, type VacuumResult } from './vacuum.js';
import { commitStaged, type WriteOptions, type WriteResult } from './write-commit.js';
import { arrowRows, loadRows, type ArrowTableLike, type RowsInput } from './write-inputs.js';

/** Options of `Lake.open`. */
export interface LakeOptions {
  store: MetaStore;
  /** Lake root folder. */
  root: string;
  /** Where DuckDB spills; default `<root>/../tmp`. */
  tempDir?: string;
  memoryLimit?: string;
  threads?: number;
  logger?: Logger;
  rowGroupSize?: number;
  /**
   * Serve point reads (an equality on the first key column) by decoding the Parquet files
   * directly instead of through DuckDB (default true; same rows either way).
   */
  directReads?: boolean;
  writeLockWaitMs?: number;
}

/** Data to write: rows, an Arrow table, or a DuckDB query over the lake's datasets. */
export type WriteInput = { rows: RowsInput } | { arrow: ArrowTableLike } | { sql: string };

let tableCounter = 0;
const tempName = (prefix: string): string => `_${prefix}_${process.pid}_${++tableCounter}`;

/**
 * The lake: a registry of typed datasets stored as Hive-partitioned Parquet, with versioned,
 * crash-safe commits recorded in the metadata store, time travel, and read-only SQL.
 */
export class Lake {
  /** Sandboxed SQL over committed versions. */
  readonly queries: QueryEngine;

  private constructor(
    private readonly ctx: LakeContext,
    private readonly sandbox: DuckEngine,
  ) {
    this.queries = new QueryEngine(sandbox, ctx.store, ctx.layout);
  }

  /** Opens the lake at `root` (creating it) and registers the built-in datasets. */
  static async open(options: LakeOptions): Promise<Lake> {
    const root = path.resolve(options.root);
    const tempDir = options.tempDir ?? path.join(path.dirname(root), 'tmp', 'duckdb');
    const settings = { memoryLimit: options.memoryLimit ?? '512MB', threads: options.threads ?? 0 };
    const engine = await DuckEngine.create({ ...settings, tempDir });
    const sandbox = await DuckEngine.create({
      ...settings,
      tempDir: path.join(tempDir, 'sandbox'),
      sandboxRoots: [root],
    });
    const ctx: LakeContext = {
      store: options.store,
      layout: new LakeLayout(root),
      engine,
      reads: new ReadSession(engine),
      direct: options.directReads === false ? null : new DirectReader(),
      logger: options.logger ?? silentLogger(),
      rowGroupSize: options.rowGroupSize ?? 16_384,
      writeLockWaitMs: options.writeLockWaitMs ?? 300_000,
    };
    await ensureBuiltins(options.store);
    return new Lake(ctx, sandbox);
  }

  /** Lake root folder. */
  get root(): string {
    return this.ctx.layout.root;
  }

  /** Every registered dataset. */
  datasets(): Promise<Dataset[]> {
    return listDatasets(this.ctx.store);
  }

  /** One dataset; throws `LAKE_DATASET_NOT_FOUND`. */
  dataset(name: string): Promise<Dataset> {
    return getDataset(this.ctx.store, name);
  }

  /** Registers a user dataset (idempotent for the same definition). */
  createDataset(spec: DatasetSpec): Promise<Dataset> {
    return createDataset(this.ctx.store, spec);
  }

  /**
   * Writes rows, an Arrow table or a query result to a dataset as one new version. Rows that do
   * not fit the schema, or repeat a primary key, reject the whole write with the offending rows.
   */
  async write(name: string, input: WriteInput, options: WriteOptions = {}): Promise<WriteResult> {
    const dataset = await this.dataset(name);
    return this.ctx.engine.withConnection(async (conn) => {
      const src = tempName('src');
      const staged = tempName('w');
      try {
        let source: { sql: string; columns: string[]; label: string };
        if ('sql' in input) {
          await registerViews(this.ctx, conn);
          await conn.run(`CREATE OR REPLACE TEMP TABLE ${ident(src)} AS ${input.sql}`);
          const cols = (await conn.runAndReadAll(`DESCRIBE ${ident(src)}`))
            .getRowObjectsJson()
            .map((r) => text(r['column_name']));
          source = {
            sql: `SELECT * FROM ${ident(src)}`,
            columns: cols,
            label: 'the query result',
          };
        } else {
          const { rows, columns } =
            'arrow' in input ? arrowRows(input.arrow) : { rows: input.rows, columns: undefined };
          const cols = await loadRows(conn, dataset, rows, src, columns);
          source = {
            sql: `SELECT * FROM ${ident(src)}`,
            columns: cols,
            label: 'the rows',
          };
        }
        const result = await stageInput(conn, dataset, source, {}, staged);
        if (result.badRows > 0) {
          const bad = (
            await conn.runAndReadAll(
              `SELECT rowid + 1 AS _ord, _reason FROM ${ident(staged)} WHERE _reason IS NOT NULL ORDER BY rowid LIMIT 20`,
            )
          ).getRowObjectsJson();
          throw new LakeBadDataError(
            `${result.badRows} of ${result.rows} rows do not fit ${name}: ${bad.map((b) => `row ${text(b['_ord'])}: ${text(b['_reason'])}`).join('; ')}. Fix them; nothing was written.`,
            { details: { dataset: name, badRows: result.badRows, examples: bad } },
          );
        }
        try {
          return await commitStaged(this.ctx, conn, dataset, staged, {
            ...options,
            columnSql: result.columnSql,
          });
        } catch (err) {
          // The commit finds that keys repeat as it checks its files; name them.
          if (!(err instanceof LakeDuplicateKeysError)) throw err;
          const dups = await findDuplicateKeys(conn, dataset, staged, 20);
          if (dups.length === 0) throw err;
          throw new LakeDuplicateKeysError(
            `The write repeats primary keys of ${name} (${dataset.primaryKey.join(', ')}): ${dups.map((d) => `(${d.key.join(', ')}) at rows ${d.ordinals.join(', ')}`).join('; ')}. Keep one row per key; nothing was written.`,
            { cause: err, details: { dataset: name, keys: dups } },
          );
        }
      } finally {
        await conn.run(`DROP TABLE IF EXISTS ${ident(src)}`);
        await conn.run(`DROP TABLE IF EXISTS ${ident(staged)}`);
      }
    });
  }

  /** Imports CSV/Parquet files, quarantining bad rows (see `importFiles`). */
  async import(
    name: string,
    files: readonly string[],
    options: ImportOptions = {},
  ): Promise<ImportResult> {
    return importFiles(this.ctx, await this.dataset(name), files, options);
  }

  /** Reads rows of the head or of a past version. */
  async read(name: string, options: ReadOptions = {}): Promise<ReadResult> {
    return readDataset(this.ctx, await this.dataset(name), options);
  }

  /** The files of a version (default the head). */
  async files(name: string, version?: number): Promise<LakeFile[]> {
    const dataset = await this.dataset(name);
    const v = version ?? dataset.headVersion;
    if (version !== undefined) await getVersion(this.ctx.store, name, version);
    return v === 0 ? [] : filesAt(this.ctx.store, name, v);
  }

  /** Retained versions, newest first (at most `limit`, default 1000). */
  async history(name: string, limit?: number): Promise<DatasetVersion[]> {
    await this.dataset(name);
    return history(this.ctx.store, name, limit);
  }

  /** Read-only SQL over the head versions. */
  query(sql: string, options: { maxRows?: number } = {}): Promise<QueryResult> {
    return this.queries.query(sql, options);
  }

  /** Compacts small files of one dataset or of all. */
  async compact(options: {
    dataset?: string;
    smallFileBytes: number;
    onProgress?: (done: number, total: number) => void;
  }): Promise<CompactResult[]> {
    const targets = options.dataset ? [await this.dataset(options.dataset)] : await this.datasets();
    const out: CompactResult[] = [];
    for (const d of targets)
      out.push(
        await compactDataset(this.ctx, d, {
          smallFileBytes: options.smallFileBytes,
          onProgress: options.onProgress,
        }),
      );
    return out;
  }

  /** Removes orphans and, with `retentionMs`, versions older than the retention. */
  async vacuum(
    options: { dataset?: string; retentionMs?: number; now?: number } = {},
  ): Promise<Record<string, VacuumResult>> {
    const targets = options.dataset ? [await this.dataset(options.dataset)] : await this.datasets();
    const out: Record<string, VacuumResult> = {};
    for (const d of targets) out[d.name] = await vacuumDataset(this.ctx, d, options);
    return out;
  }

  /** Quarantined rows. */
  quarantine(query: QuarantineQuery = {}): Promise<QuarantinedRow[]> {
    return listQuarantined(this.ctx.store, query);
  }

  /** Closes DuckDB (the metadata store belongs to the caller). */
  close(): void {
    this.queries.close();
    this.sandbox.close();
    this.ctx.reads.close();
    this.ctx.engine.close();
  }
}

/** Exposes each dataset's head version as a temp view on a system connection (for SQL writes). */
async function registerViews(ctx: LakeContext, conn: DuckDBConnection): Promise<void> {
  for (const d of await listDatasets(ctx.store)) {
    const files = d.headVersion === 0 ? [] : await filesAt(ctx.store, d.name, d.headVersion);
    await conn.run(
      `CREATE OR REPLACE TEMP VIEW ${ident(d.name)} AS ${scanSql(d, ctx.layout, files)}`,
    );
  }
}
