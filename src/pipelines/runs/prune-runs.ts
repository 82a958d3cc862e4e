/**
 * Run history retention: runs that ended before a cutoff are deleted with everything recorded
 * about them (tasks, dependencies, attempts, state changes, log lines), in batches, so history
 * stays queryable for the retention period and the database does not grow without bound.
 */
import type { Kysely } from 'kysely';
import type { MetaDatabase } from '../../meta/index.js';
import { isoTime } from './run-ids.js';

/** Deletes runs finished before `cutoffMs` (at most `batch` per call); returns how many. */
export async function pruneRuns(
  db: Kysely<MetaDatabase>,
  cutoffMs: number,
  batch = 500,
): Promise<number> {
  const old = await db
    .selectFrom('runs')
    .select('id')
    .where('state', 'in', ['succeeded', 'failed', 'canceled'])
    .where('finished_at', '<', isoTime(cutoffMs))
    .orderBy('id')
    .limit(batch)
    .execute();
  if (old.length === 0) return 0;
  const ids = old.map((r) => r.id);
  await db.transaction().execute(async (trx) => {
    const attempts = trx.selectFrom('attempts').select('id').where('run_id', 'in', ids);
    await trx.deleteFrom('attempt_logs').where('attempt_id', 'in', attempts).execute();
    await trx.deleteFrom('run_events').where('run_id', 'in', ids).execute();
    await trx.deleteFrom('attempts').where('run_id', 'in', ids).execute();
    await trx.deleteFrom('task_deps').where('run_id', 'in', ids).execute();
    await trx.deleteFrom('run_tasks').where('run_id', 'in', ids).execute();
    await trx.deleteFrom('runs').where('id', 'in', ids).execute();
  });
  return ids.length;
}
