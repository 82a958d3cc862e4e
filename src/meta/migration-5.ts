/**
 * Migration 5: indexes for the questions asked of history: resource use per asset over a period
 * (`marketlake top`, trends, anomalies) reads attempts by asset and end time, and the tracing and
 * lineage observers look up the lake commits an attempt made by writer.
 */
import type { Migration } from './migrations.js';

/** Indexes on attempts (asset, finished_at), attempts (finished_at), dataset_versions (writer). */
export const migration5: Migration = {
  version: 5,
  name: 'history indexes',
  up: async (db) => {
    await db.schema
      .createIndex('attempts_by_asset_finished')
      .on('attempts')
      .columns(['asset', 'finished_at'])
      .execute();
    await db.schema
      .createIndex('attempts_by_finished')
      .on('attempts')
      .columns(['finished_at'])
      .execute();
    await db.schema
      .createIndex('dataset_versions_by_writer')
      .on('dataset_versions')
      .columns(['writer'])
      .execute();
  },
};
