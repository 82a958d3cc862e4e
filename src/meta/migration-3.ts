/**
 * Migration 3: what the scheduler remembers between ticks and restarts: each schedule's last
 * evaluated tick and each sensor's cursor, so a restart neither repeats nor loses a tick.
 */
import type { Migration } from './migrations.js';

/** Schedule and sensor state. */
export const migration3: Migration = {
  version: 3,
  name: 'scheduler state',
  up: async (db) => {
    await db.schema
      .createTable('schedule_state')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('last_tick_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_run_id', 'text')
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sensor_state')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('cursor', 'text')
      .addColumn('last_check_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_run_id', 'text')
      .addColumn('last_error', 'text')
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
  },
};
