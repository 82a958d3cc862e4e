import type { MetaStore } from '../../src/meta/index.js';

const MiB = 1024 * 1024;

/** An ended attempt to insert; resources default to small figures. */
export interface FakeAttempt {
  asset: string;
  finishedMs: number;
  state?: string;
  wall?: number;
  cpu?: number;
  rss?: number;
  rows?: number;
  bytes?: number;
  started?: boolean;
}

let seq = 0;

/** Inserts a run with one attempt per fake, as the run store leaves them when they end. */
export async function insertAttempts(
  meta: MetaStore,
  fakes: readonly FakeAttempt[],
): Promise<string[]> {
  const runId = `r${String(++seq).padStart(6, '0')}`;
  await meta.db
    .insertInto('runs')
    .values({
      id: runId,
      job: null,
      selection_json: '{}',
      kind: 'manual',
      priority: 0,
      state: 'succeeded',
      created_at: new Date(Math.min(...fakes.map((f) => f.finishedMs)) - 3_600_000).toISOString(),
      started_at: null,
      finished_at: null,
      parent_run_id: null,
      backfill_id: null,
      tags_json: '{}',
      error: null,
      tasks_total: fakes.length,
      tasks_finished: fakes.length,
      tasks_unsuccessful: 0,
    })
    .execute();
  const ids: string[] = [];
  for (const [i, f] of fakes.entries()) {
    const id = `${runId}a${String(i).padStart(5, '0')}`;
    ids.push(id);
    const wall = f.wall ?? 1;
    await meta.db
      .insertInto('attempts')
      .values({
        id,
        run_id: runId,
        task_index: i,
        asset: f.asset,
        partition_key: null,
        attempt: 1,
        state: f.state ?? 'succeeded',
        priority: 0,
        pool: null,
        not_before_ms: 0,
        enqueued_at: new Date(f.finishedMs - wall * 1000 - 500).toISOString(),
        started_at: f.started === false ? null : new Date(f.finishedMs - wall * 1000).toISOString(),
        finished_at: new Date(f.finishedMs).toISOString(),
        worker_id: null,
        lease_expires_at_ms: null,
        exit_reason: f.state === 'failed' ? 'ERROR' : 'OK',
        error_message: null,
        error_code: null,
        wall_seconds: wall,
        queue_seconds: 0.5,
        cpu_user_seconds: (f.cpu ?? 0.5) * 0.75,
        cpu_system_seconds: (f.cpu ?? 0.5) * 0.25,
        peak_rss_bytes: f.rss ?? 100 * MiB,
        rows_written: f.rows ?? 0,
        bytes_read: 0,
        bytes_written: f.bytes ?? 0,
        metadata_json: null,
      })
      .execute();
  }
  return ids;
}
