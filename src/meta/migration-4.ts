/**
 * Migration 4: alerting. One row per alert episode (a fingerprint fires, then resolves; firing
 * again starts a new row, so history is kept), every notification delivery with its attempts and
 * last error (failures stay visible), and silences with their matchers and expiry.
 */
import type { Migration } from './migrations.js';

/** Alerts, alert notifications and silences. */
export const migration4: Migration = {
  version: 4,
  name: 'alerts',
  up: async (db) => {
    await db.schema
      .createTable('alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('rule', 'text', (c) => c.notNull())
      .addColumn('group_key', 'text', (c) => c.notNull())
      .addColumn('labels_json', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('details_json', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('resolved_at_ms', 'bigint')
      .addColumn('notified_state', 'text')
      .addColumn('last_notified_at_ms', 'bigint')
      .execute();
    await db.schema
      .createIndex('alerts_by_fingerprint')
      .on('alerts')
      .columns(['fingerprint', 'started_at_ms'])
      .execute();
    await db.schema
      .createIndex('alerts_by_state')
      .on('alerts')
      .columns(['state', 'started_at_ms'])
      .execute();
    await db.schema
      .createTable('alert_notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('group_key', 'text', (c) => c.notNull())
      .addColumn('notifier', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('fingerprints_json', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('sent_at_ms', 'bigint')
      .execute();
    await db.schema
      .createIndex('alert_notifications_by_notifier')
      .on('alert_notifications')
      .columns(['notifier', 'created_at_ms'])
      .execute();
    await db.schema
      .createTable('alert_silences')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('matchers_json', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
      .execute();
  },
};
