import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { messageOf } from '../core/index.js';
import { MetaUnavailableError, MetaUrlInvalidError } from './errors.js';
import { migrate } from './migrator.js';
import type { MetaDatabase } from './schema.js';
import { cachingStatements } from './statement-cache.js';

/** Which SQL database holds the metadata. */
export type MetaDialect = 'sqlite' | 'postgres';

/** Options of `openMetaStore`. */
export interface OpenMetaStoreOptions {
  /** Run pending migrations (default true). */
  migrate?: boolean;
  /** PostgreSQL schema to use (created if missing); default from `?schema=` in the URL, else `public`. */
  schema?: string;
}

/** An open metadata database: a Kysely handle plus what differs between the two backends. */
export interface MetaStore {
  readonly db: Kysely<MetaDatabase>;
  readonly dialect: MetaDialect;
  /** The URL it was opened with, password redacted. */
  readonly description: string;
  /**
   * Runs `fn` in one transaction. On SQLite it starts with `BEGIN IMMEDIATE` so that two
   * processes serialize at the start instead of failing on a lock upgrade.
   */
  transaction<T>(fn: (trx: Kysely<MetaDatabase>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const int8Types = {
  getTypeParser: ((oid: number, format?: string) => {
    // int8 and numeric counts fit in a double for everything we store (rows, bytes, epoch ms).
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text') as (v: string) => unknown;
  }) as typeof pg.types.getTypeParser,
};

/** Opens (and by default migrates) the metadata database named by `url`. */
export async function openMetaStore(
  url: string,
  options: OpenMetaStoreOptions = {},
): Promise<MetaStore> {
  const store = url.startsWith('sqlite:')
    ? openSqlite(url.slice('sqlite:'.length))
    : /^postgres(ql)?:\/\//.test(url)
      ? await openPostgres(url, options.schema)
      : undefined;
  if (!store) {
    throw new MetaUrlInvalidError(
      `Unsupported metadata database URL "${url}". Use sqlite:<path> (embedded) or postgres://user@host:5432/db (cluster).`,
      { details: { url } },
    );
  }
  if (options.migrate !== false) {
    try {
      await migrate(store);
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

// Compiled once: every run-store operation is a transaction.
const BEGIN_IMMEDIATE = CompiledQuery.raw('BEGIN IMMEDIATE');
const COMMIT = CompiledQuery.raw('COMMIT');
const ROLLBACK = CompiledQuery.raw('ROLLBACK');

/** How long a SQLite statement waits for a lock another process holds. */
const BUSY_TIMEOUT_MS = 10_000;

/**
 * Switches a SQLite database to WAL. The switch needs the file to itself, and SQLite does not wait
 * for it (the busy timeout does not apply): processes that open a new database at the same moment
 * got "database is locked". So it is retried, with growing pauses, for up to the busy timeout. A
 * database stays in WAL once switched, so later opens only read the mode.
 */
function useWal(database: Database.Database, file: string): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      if (database.pragma('journal_mode', { simple: true }) === 'wal') return;
      // Returns the mode it ended in: an in-memory database stays in `memory`.
      database.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) throw err;
      if (Date.now() + wait > deadline) {
        throw new MetaUnavailableError(
          `The SQLite metadata file ${file} stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000} s while this one switched it to WAL. Check which process holds it (fuser ${file}) and start again.`,
          { cause: err },
        );
      }
    }
    Atomics.wait(pause, 0, 0, wait);
  }
}

function openSqlite(file: string): MetaStore {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let database: Database.Database;
  try {
    database = new Database(file);
  } catch (err) {
    throw new MetaUnavailableError(
      `Cannot open the SQLite metadata file ${file}: ${messageOf(err)}`,
      { cause: err },
    );
  }
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  useWal(database, file);
  // WAL with NORMAL: a commit survives a crash of any process; only a power loss can roll back
  // the last commits, which leaves lake files orphaned (vacuumed) and attempts re-run, never a
  // half-visible version. FULL fsyncs every commit, a third of a 10,000-task fan-out's time.
  // See docs/decisions/0004-sqlite-synchronous-normal.md.
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<MetaDatabase>({
    dialect: new SqliteDialect({ database: cachingStatements(database) }),
  });
  return {
    db,
    dialect: 'sqlite',
    description: `sqlite:${file}`,
    transaction: (fn) =>
      db.connection().execute(async (conn) => {
        await conn.executeQuery(BEGIN_IMMEDIATE);
        try {
          const result = await fn(conn);
          await conn.executeQuery(COMMIT);
          return result;
        } catch (err) {
          await conn.executeQuery(ROLLBACK);
          throw err;
        }
      }),
    close: () => db.destroy(),
  };
}

async function openPostgres(url: string, schemaOption?: string): Promise<MetaStore> {
  const parsed = new URL(url);
  const schema = schemaOption ?? parsed.searchParams.get('schema') ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/i.test(schema)) {
    throw new MetaUrlInvalidError(
      `Invalid PostgreSQL schema name "${schema}": use letters, digits and _.`,
      {
        details: { schema },
      },
    );
  }
  parsed.searchParams.delete('schema');
  const connectionString = parsed.toString();
  const description = connectionString.replace(/\/\/([^:@/]+):[^@]*@/, '//$1:***@');
  const setup = new pg.Client({ connectionString });
  try {
    await setup.connect();
    await setup.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`).catch((err: { code?: string }) => {
      // Two processes creating the schema at once: the loser sees a unique violation.
      if (err.code !== '23505' && err.code !== '42P06') throw err;
    });
  } catch (err) {
    throw new MetaUnavailableError(
      `Cannot reach PostgreSQL at ${description}: ${messageOf(err)}. Check that the server runs and the URL is right.`,
      { cause: err },
    );
  } finally {
    await setup.end().catch(() => undefined);
  }
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    options: `-c search_path="${schema}"`,
    types: int8Types,
  });
  const db = new Kysely<MetaDatabase>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    description: `${description} (schema ${schema})`,
    transaction: (fn) => db.transaction().execute(fn),
    close: () => db.destroy(),
  };
}
