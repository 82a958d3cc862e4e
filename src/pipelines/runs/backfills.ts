/**
 * Backfill records: which assets over which partition range, how many tasks were submitted (so a
 * restarted launcher resumes where it stopped), and progress computed from the backfill's runs.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { BackfillsTable, MetaDatabase } from '../../meta/index.js';
import { PipelinesBackfillNotFoundError, PipelinesRunArgumentInvalidError } from '../errors.js';
import { parseTags, type TxContext } from './run-context.js';
import { isoTime, sortableId } from './run-ids.js';
import { assertTransition, BACKFILL_STATES, type BackfillState } from './run-states.js';

/** What `createBackfill` takes. */
export interface BackfillInput {
  /** Assets to backfill (with `downstream`, the launcher adds the downstream ones to each run). */
  assets: readonly string[];
  /** First partition key of the range. */
  from: string;
  /** Last partition key of the range (inclusive). */
  to: string;
  /** Whether downstream assets are materialized too. */
  downstream?: boolean;
  /** Tasks the backfill will run in total (partitions times assets). */
  total: number;
  tags?: Readonly<Record<string, string>>;
}

/** Progress of a backfill, counted per distinct asset and partition across its runs. */
export interface BackfillProgress {
  /** Tasks that succeeded (or were skipped) in some run of the backfill. */
  readonly done: number;
  /** Tasks whose latest outcome is a failure and that have not succeeded since. */
  readonly failed: number;
  /** Tasks waiting, queued or running now. */
  readonly active: number;
  /** Tasks neither done nor failed: active, canceled or not yet submitted. */
  readonly remaining: number;
  /** Estimated ms until done at the rate so far; null before the first task is done. */
  readonly etaMs: number | null;
}

/** A backfill as queries return it. */
export interface BackfillView {
  readonly id: string;
  readonly assets: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly downstream: boolean;
  readonly state: BackfillState;
  readonly total: number;
  readonly submitted: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
  readonly progress: BackfillProgress;
}

type BackfillRow = Selectable<BackfillsTable>;

function notFound(id: string): PipelinesBackfillNotFoundError {
  return new PipelinesBackfillNotFoundError(
    `No backfill ${id}. \`marketlake backfill\` lists the backfills that exist.`,
    { details: { backfillId: id } },
  );
}

async function lockBackfill(ctx: TxContext, id: string): Promise<BackfillRow> {
  const row = await ctx.trx
    .selectFrom('backfills')
    .selectAll()
    .where('id', '=', id)
    .$if(ctx.dialect === 'postgres', (qb) => qb.forNoKeyUpdate())
    .executeTakeFirst();
  if (!row) throw notFound(id);
  return row;
}

/** Creates a backfill record in state `requested`. */
export async function createBackfill(ctx: TxContext, input: BackfillInput): Promise<string> {
  if (!Array.isArray(input.assets) || input.assets.length === 0) {
    throw new PipelinesRunArgumentInvalidError('A backfill needs at least one asset.');
  }
  if (!Number.isSafeInteger(input.total) || input.total < 0) {
    throw new PipelinesRunArgumentInvalidError(
      `Backfill total ${String(input.total)} must be a whole number >= 0.`,
    );
  }
  const id = sortableId('b', ctx.now);
  const at = isoTime(ctx.now);
  await ctx.trx
    .insertInto('backfills')
    .values({
      id,
      assets_json: JSON.stringify(input.assets),
      partition_from: input.from,
      partition_to: input.to,
      downstream: input.downstream === true ? 1 : 0,
      state: 'requested',
      total: input.total,
      submitted: 0,
      tags_json: JSON.stringify(input.tags ?? {}),
      created_at: at,
      updated_at: at,
      finished_at: null,
    })
    .execute();
  return id;
}

async function setState(ctx: TxContext, row: BackfillRow, to: BackfillState): Promise<void> {
  if (row.state === to) return;
  assertTransition('backfill', row.id, row.state, to);
  const terminal = to === 'succeeded' || to === 'failed' || to === 'canceled';
  await ctx.trx
    .updateTable('backfills')
    .set({
      state: to,
      updated_at: isoTime(ctx.now),
      finished_at: terminal ? isoTime(ctx.now) : null,
    })
    .where('id', '=', row.id)
    .execute();
}

/** Marks the backfill running when a run is created for it (reopening a failed one). */
export async function openBackfillForRun(ctx: TxContext, id: string): Promise<void> {
  const row = await lockBackfill(ctx, id);
  if (row.state !== 'running') await setState(ctx, row, 'running');
}

/** Records how many tasks the launcher has submitted; settles the backfill when all are done. */
export async function recordSubmitted(
  ctx: TxContext,
  id: string,
  submitted: number,
): Promise<void> {
  const row = await lockBackfill(ctx, id);
  if (!Number.isSafeInteger(submitted) || submitted < 0 || submitted > row.total) {
    throw new PipelinesRunArgumentInvalidError(
      `Backfill ${id} cannot have ${String(submitted)} tasks submitted: use 0..${row.total}.`,
      { details: { backfillId: id, submitted, total: row.total } },
    );
  }
  if (row.state !== 'running') await setState(ctx, row, 'running');
  await ctx.trx
    .updateTable('backfills')
    .set({ submitted: Math.max(submitted, row.submitted), updated_at: isoTime(ctx.now) })
    .where('id', '=', id)
    .execute();
  await settleBackfill(ctx, id);
}

/** Moves backfill `id` to `to` (cancel), validating the transition. */
export async function setBackfillState(
  ctx: TxContext,
  id: string,
  to: BackfillState,
): Promise<void> {
  await setState(ctx, await lockBackfill(ctx, id), to);
}

/** Finishes a running backfill once every task is submitted and none of its runs is active. */
export async function settleBackfill(ctx: TxContext, id: string): Promise<void> {
  const row = await lockBackfill(ctx, id);
  if (row.state !== 'running' || row.submitted < row.total) return;
  const active = await ctx.trx
    .selectFrom('runs')
    .select('id')
    .where('backfill_id', '=', id)
    .where('state', 'in', ['queued', 'running'])
    .limit(1)
    .executeTakeFirst();
  if (active) return;
  const progress = await backfillProgress(ctx.trx, row, ctx.now);
  await setState(ctx, row, progress.failed > 0 ? 'failed' : 'succeeded');
}

/** Progress of backfill `row` at `now`. */
async function backfillProgress(
  db: Kysely<MetaDatabase>,
  row: BackfillRow,
  now: number,
): Promise<BackfillProgress> {
  // A partition counts once however often it was retried: done if any run succeeded it.
  const result = await sql<{ done: number | null; failed: number | null; active: number | null }>`
    SELECT SUM(ok) AS done,
           SUM(CASE WHEN ok = 0 AND active = 0 AND bad = 1 THEN 1 ELSE 0 END) AS failed,
           SUM(CASE WHEN ok = 0 AND active = 1 THEN 1 ELSE 0 END) AS active
    FROM (SELECT t.asset, t.partition_key,
                 MAX(CASE WHEN t.state IN ('succeeded', 'skipped') THEN 1 ELSE 0 END) AS ok,
                 MAX(CASE WHEN t.state IN ('failed', 'upstream_failed') THEN 1 ELSE 0 END) AS bad,
                 MAX(CASE WHEN t.state IN ('waiting', 'queued', 'running') THEN 1 ELSE 0 END) AS active
          FROM run_tasks t JOIN runs r ON r.id = t.run_id
          WHERE r.backfill_id = ${row.id}
          GROUP BY t.asset, t.partition_key) x`.execute(db);
  const first = result.rows[0];
  const done = Number(first?.done ?? 0);
  const failed = Number(first?.failed ?? 0);
  const remaining = Math.max(0, row.total - done - failed);
  const elapsed = now - Date.parse(row.created_at);
  const etaMs = done > 0 && elapsed > 0 ? Math.round((elapsed / done) * remaining) : null;
  return { done, failed, active: Number(first?.active ?? 0), remaining, etaMs };
}

async function toView(
  db: Kysely<MetaDatabase>,
  row: BackfillRow,
  now: number,
): Promise<BackfillView> {
  return {
    id: row.id,
    assets: JSON.parse(row.assets_json) as string[],
    from: row.partition_from,
    to: row.partition_to,
    downstream: row.downstream === 1,
    state: row.state as BackfillState,
    total: Number(row.total),
    submitted: Number(row.submitted),
    tags: parseTags(row.tags_json),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    progress: await backfillProgress(db, row, now),
  };
}

/** Backfill `id` with its progress at `now`. */
export async function getBackfill(
  db: Kysely<MetaDatabase>,
  id: string,
  now: number,
): Promise<BackfillView> {
  const row = await db.selectFrom('backfills').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(id);
  return toView(db, row, now);
}

/** Filter and page of `listBackfills`. */
export interface BackfillQuery {
  state?: BackfillState;
  /** Return backfills older than this id (the previous page's last id). */
  before?: string;
  /** Page size (default 50, at most 500). */
  limit?: number;
}

/** Backfills, newest first. */
export async function listBackfills(
  db: Kysely<MetaDatabase>,
  query: BackfillQuery,
  now: number,
): Promise<BackfillView[]> {
  if (query.state !== undefined && !BACKFILL_STATES.includes(query.state)) {
    throw new PipelinesRunArgumentInvalidError(
      `Unknown backfill state ${JSON.stringify(query.state)}; use one of ${BACKFILL_STATES.join(', ')}.`,
    );
  }
  const rows = await db
    .selectFrom('backfills')
    .selectAll()
    .$if(query.state !== undefined, (qb) => qb.where('state', '=', query.state as string))
    .$if(query.before !== undefined, (qb) => qb.where('id', '<', query.before as string))
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(query.limit ?? 50, 1), 500))
    .execute();
  return Promise.all(rows.map((r) => toView(db, r, now)));
}
