/** The worker registry: executor processes that claim attempts, and when each was last heard. */
import { hostname } from 'node:os';
import type { Kysely, Selectable } from 'kysely';
import type { MetaDatabase, WorkersTable } from '../../meta/index.js';
import { PipelinesRunArgumentInvalidError } from '../errors.js';
import type { TxContext } from './run-context.js';
import { isoTime, sortableId } from './run-ids.js';

/** What `registerWorker` takes. */
export interface WorkerInput {
  /** Stable id (default a new sortable id). */
  id?: string;
  /** Default this machine's host name. */
  host?: string;
  /** Default this process. */
  pid?: number;
  /** Attempts the worker runs at once. */
  slots: number;
}

/** A registered worker. */
export interface WorkerInfo {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly slots: number;
  /** Epoch ms of the last heartbeat (or claim). */
  readonly heartbeatAtMs: number;
  /** ISO-8601 UTC with milliseconds. */
  readonly startedAt: string;
}

function toInfo(row: Selectable<WorkersTable>): WorkerInfo {
  return {
    id: row.id,
    host: row.host,
    pid: row.pid,
    slots: row.slots,
    heartbeatAtMs: Number(row.heartbeat_at_ms),
    startedAt: row.started_at,
  };
}

/** Registers (or re-registers) a worker, heard from at `ctx.now`. */
export async function registerWorker(ctx: TxContext, input: WorkerInput): Promise<WorkerInfo> {
  if (!Number.isSafeInteger(input.slots) || input.slots < 1) {
    throw new PipelinesRunArgumentInvalidError(
      `Worker slots ${String(input.slots)} must be a whole number >= 1.`,
    );
  }
  const row = {
    id: input.id ?? sortableId('w', ctx.now),
    host: input.host ?? hostname(),
    pid: input.pid ?? process.pid,
    slots: input.slots,
    heartbeat_at_ms: ctx.now,
    started_at: isoTime(ctx.now),
  };
  await ctx.trx
    .insertInto('workers')
    .values(row)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        host: row.host,
        pid: row.pid,
        slots: row.slots,
        heartbeat_at_ms: row.heartbeat_at_ms,
        started_at: row.started_at,
      }),
    )
    .execute();
  return toInfo(row);
}

/** Every registered worker, by id. */
export async function listWorkers(db: Kysely<MetaDatabase>): Promise<WorkerInfo[]> {
  const rows = await db.selectFrom('workers').selectAll().orderBy('id').execute();
  return rows.map(toInfo);
}

/** Workers not heard from for longer than `timeoutMs` before `now`. */
export async function listDeadWorkers(
  db: Kysely<MetaDatabase>,
  now: number,
  timeoutMs: number,
): Promise<WorkerInfo[]> {
  const rows = await db
    .selectFrom('workers')
    .selectAll()
    .where('heartbeat_at_ms', '<', now - timeoutMs)
    .orderBy('id')
    .execute();
  return rows.map(toInfo);
}

/** Removes a worker from the registry (a clean shutdown, or a dead worker that was handled). */
export async function removeWorker(db: Kysely<MetaDatabase>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('workers').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
