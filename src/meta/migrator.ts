import { sql, type Kysely } from 'kysely';
import { MetaSchemaTooNewError } from './errors.js';
import { latestSchemaVersion, migrations } from './migrations.js';
import type { MetaStore } from './meta-store.js';

/** Current schema version of a store whose `meta_migrations` table exists (0 when empty). */
export async function schemaVersion<DB>(db: Kysely<DB>): Promise<number> {
  const row = await sql<{
    v: number | null;
  }>`SELECT MAX(version) AS v FROM meta_migrations`.execute(db);
  return Number(row.rows[0]?.v ?? 0);
}

/**
 * Brings the database to the latest schema. Concurrent starts serialize (an advisory lock on
 * PostgreSQL, an immediate transaction on SQLite); a database newer than this build is refused
 * instead of being touched.
 */
export async function migrate(store: MetaStore): Promise<{ from: number; to: number }> {
  const run = async (db: Kysely<unknown>): Promise<{ from: number; to: number }> => {
    await db.schema
      .createTable('meta_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    const from = await schemaVersion(db);
    if (from > latestSchemaVersion) {
      throw new MetaSchemaTooNewError(
        `The metadata database is at schema version ${from}, newer than this marketlake understands (${latestSchemaVersion}). Upgrade marketlake, or point MARKETLAKE_DATABASE_URL at another database.`,
        { details: { databaseVersion: from, supportedVersion: latestSchemaVersion } },
      );
    }
    for (const m of migrations) {
      if (m.version <= from) continue;
      await m.up(db, store.dialect);
      await sql`INSERT INTO meta_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${new Date().toISOString()})`.execute(
        db,
      );
    }
    return { from, to: Math.max(from, latestSchemaVersion) };
  };
  if (store.dialect === 'postgres') {
    return store.transaction(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(7420001)`.execute(trx);
      return run(trx as unknown as Kysely<unknown>);
    });
  }
  return store.transaction((trx) => run(trx as unknown as Kysely<unknown>));
}
