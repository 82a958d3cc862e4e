import { mkdirSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { literal } from './sql.js';

/** Settings of a DuckDB engine. */
export interface DuckEngineOptions {
  /** Where DuckDB spills when over its memory limit. */
  tempDir: string;
  /** e.g. `1GB`. */
  memoryLimit: string;
  /** 0: one per core. */
  threads: number;
  /**
   * A sandbox engine: external access off except under these folders, configuration locked, no
   * extension installs. Used for user SQL.
   */
  sandboxRoots?: string[];
}

/** An in-process DuckDB database (in memory; files are the lake's Parquet). */
export class DuckEngine {
  private constructor(private readonly instance: DuckDBInstance) {}

  /** Creates an engine with the given settings. */
  static async create(options: DuckEngineOptions): Promise<DuckEngine> {
    mkdirSync(options.tempDir, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const engine = new DuckEngine(instance);
    const conn = await instance.connect();
    try {
      // Every setting is GLOBAL: a plain SET of a setting that has a session scope (such as the
      // Parquet metadata cache) would end with this connection and never reach the others.
      await conn.run(`SET GLOBAL memory_limit = ${literal(options.memoryLimit)}`);
      if (options.threads > 0) await conn.run(`SET GLOBAL threads = ${options.threads}`);
      await conn.run(`SET GLOBAL temp_directory = ${literal(options.tempDir)}`);
      // TIMESTAMPTZ values are partitioned, parsed and printed in UTC, whatever the host's zone:
      // two nodes in different zones must put the same row in the same partition.
      await conn.run(`SET GLOBAL TimeZone = 'UTC'`);
      // Lake files are immutable (uuid names), so cached footers never go stale.
      await conn.run('SET GLOBAL parquet_metadata_cache = true');
      if (options.sandboxRoots) {
        const dirs = options.sandboxRoots
          .map((d) => literal(d.endsWith('/') ? d : `${d}/`))
          .join(', ');
        await conn.run(`SET GLOBAL allowed_directories = [${dirs}]`);
        await conn.run('SET GLOBAL enable_external_access = false');
        await conn.run('SET GLOBAL lock_configuration = true');
      }
    } finally {
      conn.closeSync();
    }
    return engine;
  }

  /** Opens a connection (temp tables are per connection). */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** Runs `fn` with a fresh connection and closes it afterwards. */
  async withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.instance.connect();
    try {
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  }

  /** Releases the database. */
  close(): void {
    this.instance.closeSync();
  }
}
