import { sql, type Kysely } from 'kysely';
import type { MetaDialect } from './meta-store.js';
import { migration3 } from './migration-3.js';
import { migration4 } from './migration-4.js';
import { migration5 } from './migration-5.js';

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
  {
    version: 2,
    name: 'runs and task queue',
    up: async (db, dialect) => {
      const float = 'double precision';
      const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('job', 'text')
        .addColumn('selection_json', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('parent_run_id', 'text')
        .addColumn('backfill_id', 'text')
        .addColumn('tags_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('error', 'text')
        .addColumn('tasks_total', 'integer', (c) => c.notNull())
        .addColumn('tasks_finished', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('tasks_unsuccessful', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('runs_by_state').on('runs').columns(['state', 'id']).execute();
      await db.schema
        .createIndex('runs_by_backfill')
        .on('runs')
        .columns(['backfill_id', 'id'])
        .execute();
      await db.schema
        .createTable('run_tasks')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('task_index', 'integer', (c) => c.notNull())
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('partition_key', 'text')
        .addColumn('partition_index', 'bigint')
        .addColumn('pool', 'text')
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('retry_json', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempt_count', 'integer', (c) => c.notNull())
        .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('lost_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('upstream_pending', 'integer', (c) => c.notNull())
        .addColumn('upstream_skipped', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('current_attempt_id', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_tasks_pk', ['run_id', 'task_index'])
        .execute();
      await db.schema
        .createIndex('run_tasks_by_asset')
        .on('run_tasks')
        .columns(['asset', 'run_id'])
        .execute();
      await db.schema
        .createTable('task_deps')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('task_index', 'integer', (c) => c.notNull())
        .addColumn('upstream_index', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('task_deps_pk', ['run_id', 'task_index', 'upstream_index'])
        .execute();
      await db.schema
        .createIndex('task_deps_by_upstream')
        .on('task_deps')
        .columns(['run_id', 'upstream_index'])
        .execute();
      await db.schema
        .createTable('attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('task_index', 'integer', (c) => c.notNull())
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('partition_key', 'text')
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('pool', 'text')
        .addColumn('not_before_ms', 'bigint', (c) => c.notNull())
        .addColumn('enqueued_at', 'text')
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('worker_id', 'text')
        .addColumn('lease_expires_at_ms', 'bigint')
        .addColumn('exit_reason', 'text')
        .addColumn('error_message', 'text')
        .addColumn('error_code', 'text')
        .addColumn('wall_seconds', float)
        .addColumn('queue_seconds', float)
        .addColumn('cpu_user_seconds', float)
        .addColumn('cpu_system_seconds', float)
        .addColumn('peak_rss_bytes', 'bigint')
        .addColumn('rows_written', 'bigint')
        .addColumn('bytes_read', 'bigint')
        .addColumn('bytes_written', 'bigint')
        .addColumn('metadata_json', 'text')
        .addColumn('log_next_seq', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('log_head_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('log_tail_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('log_marker_seq', 'integer')
        .addColumn('log_omitted_lines', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('log_omitted_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('attempts_by_task')
        .on('attempts')
        .columns(['run_id', 'task_index', 'attempt'])
        .execute();
      // Partial indexes keep the queue's hot paths small however long the history grows.
      await db.schema
        .createIndex('attempts_queued')
        .on('attempts')
        .columns(['priority desc', 'id'])
        .where(sql.ref('state'), '=', sql.lit('queued'))
        .execute();
      await db.schema
        .createIndex('attempts_queued_by_pool')
        .on('attempts')
        .columns(['pool', 'priority desc', 'id'])
        .where(sql.ref('state'), '=', sql.lit('queued'))
        .execute();
      await db.schema
        .createIndex('attempts_running')
        .on('attempts')
        .columns(['worker_id', 'lease_expires_at_ms'])
        .where(sql.ref('state'), '=', sql.lit('running'))
        .execute();
      await db.schema
        .createIndex('attempts_running_leases')
        .on('attempts')
        .columns(['lease_expires_at_ms'])
        .where(sql.ref('state'), '=', sql.lit('running'))
        .execute();
      await db.schema
        .createIndex('attempts_running_by_pool')
        .on('attempts')
        .columns(['pool'])
        .where(sql.ref('state'), '=', sql.lit('running'))
        .execute();
      await db.schema
        .createTable('run_events')
        .addColumn('id', serial, (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('attempt_id', 'text')
        .addColumn('task_index', 'integer')
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('message', 'text')
        .execute();
      await db.schema
        .createIndex('run_events_by_run')
        .on('run_events')
        .columns(['run_id', 'id'])
        .execute();
      await db.schema
        .createTable('attempt_logs')
        .addColumn('attempt_id', 'text', (c) =>
          c.notNull().references('attempts.id').onDelete('cascade'),
        )
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('ts', 'text', (c) => c.notNull())
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('level', 'text')
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('attempt_logs_pk', ['attempt_id', 'seq'])
        .execute();
      await db.schema
        .createTable('backfills')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('assets_json', 'text', (c) => c.notNull())
        .addColumn('partition_from', 'text', (c) => c.notNull())
        .addColumn('partition_to', 'text', (c) => c.notNull())
        .addColumn('downstream', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('total', 'bigint', (c) => c.notNull())
        .addColumn('submitted', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('tags_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema
        .createIndex('backfills_by_state')
        .on('backfills')
        .columns(['state', 'id'])
        .execute();
      // One narrow row per partition, keyed by the partition's stable index: a million
      // partitions cost tens of megabytes, and pages by state come from the second index.
      await db.schema
        .createTable('partition_status')
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('partition_index', 'bigint', (c) => c.notNull())
        .addColumn('state', 'smallint', (c) => c.notNull())
        .addColumn('last_run_id', 'text')
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('partition_status_pk', ['asset', 'partition_index'])
        .$call((t) => (dialect === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t))
        .execute();
      await db.schema
        .createIndex('partition_status_by_state')
        .on('partition_status')
        .columns(['asset', 'state', 'partition_index'])
        .execute();
      await db.schema
        .createTable('workers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('slots', 'integer', (c) => c.notNull())
        .addColumn('heartbeat_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  migration3,
  migration4,
  migration5,
];

/** Highest schema version this build knows. */
export const latestSchemaVersion: number = migrations[migrations.length - 1]?.version ?? 0;
