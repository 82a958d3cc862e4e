import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { backends } from '../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../test/helpers/temp-dir.js';
import {
  latestSchemaVersion,
  migrate,
  migrations,
  openMetaStore,
  schemaVersion,
  type MetaStore,
} from './index.js';

const RUN_TABLES = [
  'runs',
  'run_tasks',
  'task_deps',
  'attempts',
  'run_events',
  'attempt_logs',
  'backfills',
  'partition_status',
  'workers',
];

/** Inserts one row into every table of migration 2, proving the columns exist with their types. */
async function useRunTables(store: MetaStore): Promise<void> {
  const db = store.db;
  await db
    .insertInto('runs')
    .values({
      id: 'r1',
      job: null,
      selection_json: '{}',
      kind: 'manual',
      priority: 100,
      state: 'queued',
      created_at: '2024-01-01T00:00:00.000Z',
      started_at: null,
      finished_at: null,
      parent_run_id: null,
      backfill_id: null,
      tags_json: '{}',
      error: null,
      tasks_total: 1,
      tasks_finished: 0,
      tasks_unsuccessful: 0,
    })
    .execute();
  await db
    .insertInto('run_tasks')
    .values({
      run_id: 'r1',
      task_index: 0,
      asset: 'a',
      partition_key: null,
      partition_index: 5_000_000_000,
      pool: null,
      priority: 100,
      max_attempts: 3,
      retry_json: '{}',
      state: 'queued',
      attempt_count: 1,
      failed_count: 0,
      lost_count: 0,
      upstream_pending: 0,
      current_attempt_id: 'a1',
      updated_at: 'x',
    })
    .execute();
  await db
    .insertInto('attempts')
    .values({
      id: 'a1',
      run_id: 'r1',
      task_index: 0,
      asset: 'a',
      partition_key: null,
      attempt: 1,
      state: 'queued',
      priority: 100,
      pool: null,
      not_before_ms: 1_700_000_000_000,
      peak_rss_bytes: 8_000_000_000,
      wall_seconds: 0.125,
    })
    .execute();
  const attempt = await db.selectFrom('attempts').selectAll().executeTakeFirstOrThrow();
  expect(attempt).toMatchObject({
    not_before_ms: 1_700_000_000_000,
    peak_rss_bytes: 8_000_000_000,
    wall_seconds: 0.125,
    log_next_seq: 1,
  });
  await db
    .insertInto('task_deps')
    .values({ run_id: 'r1', task_index: 0, upstream_index: 0 })
    .execute();
  await db
    .insertInto('run_events')
    .values({
      run_id: 'r1',
      entity: 'run',
      attempt_id: null,
      task_index: null,
      from_state: null,
      to_state: 'queued',
      at: 'x',
      message: null,
    })
    .execute();
  await db
    .insertInto('attempt_logs')
    .values({
      attempt_id: 'a1',
      seq: 1,
      ts: 'x',
      stream: 'log',
      level: null,
      line: 'hello',
      bytes: 5,
    })
    .execute();
  await db
    .insertInto('partition_status')
    .values({ asset: 'a', partition_index: 999_999, state: 1, last_run_id: 'r1', updated_at_ms: 1 })
    .execute();
  // Deleting a run removes its tasks, attempts, events and logs (history retention relies on it).
  await db.deleteFrom('runs').where('id', '=', 'r1').execute();
  for (const table of [
    'run_tasks',
    'attempts',
    'task_deps',
    'run_events',
    'attempt_logs',
  ] as const) {
    const n = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n), table).toBe(0);
  }
}

describe.each(backends)('migrations on $name', (backend) => {
  describe.skipIf(backend.skip)('version 2: runs and task queue', () => {
    let dir: string;
    let url: string;
    beforeEach(() => {
      dir = makeTempDir();
      url = backend.url(dir);
    });
    afterEach(async () => {
      await backend.cleanup(url);
      removeDir(dir);
    });

    it('is listed after version 1, with the later versions in order', () => {
      expect(migrations.map((m) => m.version)).toEqual([1, 2, 3, 4, 5]);
      expect(latestSchemaVersion).toBe(5);
    });

    it('applies to a fresh database', async () => {
      const store = await openMetaStore(url);
      try {
        expect(await schemaVersion(store.db)).toBe(5);
        await useRunTables(store);
      } finally {
        await store.close();
      }
    });

    it('applies on top of a version 1 database, keeping its data', async () => {
      const v1 = await openMetaStore(url, { migrate: false });
      try {
        await v1.transaction(async (trx) => {
          const db = trx as unknown as Kysely<unknown>;
          await sql`CREATE TABLE meta_migrations (version integer primary key, name text not null, applied_at text not null)`.execute(
            db,
          );
          await migrations[0]!.up(db, v1.dialect);
          await sql`INSERT INTO meta_migrations (version, name, applied_at) VALUES (1, 'lake catalog', 'then')`.execute(
            db,
          );
        });
        await v1.db
          .insertInto('datasets')
          .values({
            name: 'bars_1d',
            schema_json: '{}',
            partitioning_json: '{}',
            description: '',
            builtin: 1,
            head_version: 3,
            created_at: 'x',
            updated_at: 'x',
          })
          .execute();
        for (const table of RUN_TABLES) {
          await expect(
            sql`SELECT 1 FROM ${sql.table(table)}`.execute(v1.db),
            table,
          ).rejects.toThrow();
        }
      } finally {
        await v1.close();
      }
      const store = await openMetaStore(url, { migrate: false });
      try {
        expect(await migrate(store)).toEqual({ from: 1, to: 5 });
        expect(await migrate(store)).toEqual({ from: 5, to: 5 });
        const rows = await store.db
          .selectFrom('meta_migrations')
          .select(['version', 'name'])
          .orderBy('version')
          .execute();
        expect(rows).toEqual([
          { version: 1, name: 'lake catalog' },
          { version: 2, name: 'runs and task queue' },
          { version: 3, name: 'scheduler state' },
          { version: 4, name: 'alerts' },
          { version: 5, name: 'history indexes' },
        ]);
        const dataset = await store.db.selectFrom('datasets').selectAll().executeTakeFirstOrThrow();
        expect(dataset).toMatchObject({ name: 'bars_1d', head_version: 3 });
        await useRunTables(store);
      } finally {
        await store.close();
      }
    });
  });
});
