import type Database from 'better-sqlite3';

/** What Kysely's SqliteDialect needs of a database: `prepare` and `close`. */
export interface PreparingDatabase {
  prepare(sql: string): Database.Statement;
  close(): void;
}

/** Statements kept per database; the platform's own queries are a few hundred distinct texts. */
const DEFAULT_CAPACITY = 512;

/**
 * Wraps a better-sqlite3 database so each SQL text is prepared once: Kysely prepares every
 * query it runs, and preparing costs as much as running the small queries of the run store
 * (a third of a no-op task's metadata time). Least recently used statements are dropped past
 * `capacity`. A statement still being iterated (a streamed query) is `busy` and cannot run a
 * second time, so that call gets a fresh statement instead.
 */
export function cachingStatements(
  database: Database.Database,
  capacity = DEFAULT_CAPACITY,
): PreparingDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(sql: string): Database.Statement {
      const cached = cache.get(sql);
      if (cached !== undefined) {
        if (cached.busy) return database.prepare(sql);
        cache.delete(sql); // re-inserted below: the Map's order is the recency order
        cache.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > capacity) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      return statement;
    },
    close(): void {
      cache.clear();
      database.close();
    },
  };
}
