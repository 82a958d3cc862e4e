import type { Kysely } from 'kysely';
import type { MetaDialect } from './meta-store.js';

/** One schema change; `up` runs inside the migration transaction. */
export interface Migration {
  version: number;
  name: string;
  up: (db: Kysely<unknown>, dialect: MetaDialect) => Promise<void>;
}

/** Every migration in order. Append only: never edit one that has shipped. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'lake catalog',
    up: async (db, dialect) => {
      await db.schema
        .createTable('datasets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('schema_json', 'text', (c) => c.notNull())
        .addColumn('partitioning_json', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('head_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('dataset_versions')
        .addColumn('dataset', 'text', (c) =>
          c.notNull().references('datasets.name').onDelete('cascade'),
        )
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('writer', 'text', (c) => c.notNull())
        .addColumn('rows_added', 'bigint', (c) => c.notNull())
        .addColumn('rows_removed', 'bigint', (c) => c.notNull())
        .addColumn('files_added', 'integer', (c) => c.notNull())
        .addColumn('files_removed', 'integer', (c) => c.notNull())
        .addColumn('row_count', 'bigint', (c) => c.notNull())
        .addColumn('byte_count', 'bigint', (c) => c.notNull())
        .addColumn('file_count', 'integer', (c) => c.notNull())
        .addColumn('partitions_json', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('dataset_versions_pk', ['dataset', 'version'])
        .execute();
      await db.schema
        .createTable('lake_files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dataset', 'text', (c) =>
          c.notNull().references('datasets.name').onDelete('cascade'),
        )
        .addColumn('path', 'text', (c) => c.notNull().unique())
        .addColumn('partition', 'text', (c) => c.notNull())
        .addColumn('row_count', 'bigint', (c) => c.notNull())
        .addColumn('byte_count', 'bigint', (c) => c.notNull())
        .addColumn('min_key_json', 'text', (c) => c.notNull())
        .addColumn('max_key_json', 'text', (c) => c.notNull())
        .addColumn('added_version', 'integer', (c) => c.notNull())
        .addColumn('removed_version', 'integer')
        .addColumn('removed_at_ms', 'bigint')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('lake_files_live')
        .on('lake_files')
        .columns(['dataset', 'removed_version', 'added_version'])
        .execute();
      const id = dialect === 'postgres' ? 'bigserial' : 'integer';
      await db.schema
        .createTable('quarantine')
        .addColumn('id', id, (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('import_id', 'text', (c) => c.notNull())
        .addColumn('source_file', 'text', (c) => c.notNull())
        .addColumn('line', 'bigint')
        .addColumn('raw', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('quarantine_by_import')
        .on('quarantine')
        .columns(['import_id'])
        .execute();
      await db.schema
        .createIndex('quarantine_by_dataset')
        .on('quarantine')
        .columns(['dataset', 'id'])
        .execute();
      await db.schema
        .createTable('imports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('source_file', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('version', 'integer')
        .addColumn('rows_imported', 'bigint', (c) => c.notNull())
        .addColumn('rows_quarantined', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('acquired_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
];

/** Highest schema version this build knows. */
export const latestSchemaVersion: number = migrations[migrations.length - 1]?.version ?? 0;
