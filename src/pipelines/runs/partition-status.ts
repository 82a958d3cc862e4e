/**
 * Per-partition materialization status, one narrow row per (asset, partition index). Indexes are
 * stable (see partitions-definition.ts), so a million partitions need no key strings, and pages
 * by state are keyset scans of the (asset, state, partition_index) index.
 */
import { sql, type Kysely } from 'kysely';
import type { MetaDatabase, MetaDialect } from '../../meta/index.js';
import { PipelinesRunArgumentInvalidError } from '../errors.js';
import { chunks, isoTime } from './run-ids.js';

/** Stored partition states; a partition without a row is missing (never materialized). */
export const PARTITION_STATES = ['succeeded', 'failed', 'stale'] as const;
/** A stored partition state. */
export type PartitionState = (typeof PARTITION_STATES)[number];

const CODE: Record<PartitionState, number> = { succeeded: 1, failed: 2, stale: 3 };
const STATE_OF_CODE = new Map(Object.entries(CODE).map(([k, v]) => [v, k as PartitionState]));

/** One status to write. */
export interface PartitionStatusInput {
  /** Stable index of the partition in the asset's key space. */
  index: number;
  state: PartitionState;
  /** Run that produced the state, when any. */
  runId?: string | null;
}

/** One partition's status as listed. */
export interface PartitionStatusItem {
  readonly index: number;
  /** The key, when the caller gave a way to map indexes to keys. */
  readonly key: string | undefined;
  readonly state: PartitionState;
  readonly lastRunId: string | null;
  /** ISO-8601 UTC with milliseconds. */
  readonly updatedAt: string;
}

/** Filter and page of `listPartitionStatus`. */
export interface PartitionStatusQuery {
  state?: PartitionState;
  /** Return partitions with an index greater than this (the previous page's `nextAfterIndex`). */
  afterIndex?: number;
  /** Page size (default 100, at most 10,000). */
  limit?: number;
  /** Maps an index to its key, e.g. an asset's PartitionsDefinition. */
  partitions?: { keyAt(index: number): string | undefined };
}

/** A page of partition status. */
export interface PartitionStatusPage {
  readonly items: PartitionStatusItem[];
  /** Pass as `afterIndex` for the next page; undefined on the last page. */
  readonly nextAfterIndex: number | undefined;
}

function checkState(state: unknown): asserts state is PartitionState {
  if (!PARTITION_STATES.includes(state as PartitionState)) {
    throw new PipelinesRunArgumentInvalidError(
      `Unknown partition state ${JSON.stringify(state)}; use one of ${PARTITION_STATES.join(', ')}.`,
    );
  }
}

function checkIndex(index: unknown): asserts index is number {
  if (!Number.isSafeInteger(index) || (index as number) < 0) {
    throw new PipelinesRunArgumentInvalidError(
      `Partition index ${String(index)} must be a whole number >= 0.`,
    );
  }
}

/** Writes the status of individual partitions (insert or replace). */
export async function upsertPartitionStatus(
  db: Kysely<MetaDatabase>,
  asset: string,
  entries: readonly PartitionStatusInput[],
  now: number,
): Promise<void> {
  for (const e of entries) {
    checkIndex(e.index);
    checkState(e.state);
  }
  for (const batch of chunks(entries, 2000)) {
    await db
      .insertInto('partition_status')
      .values(
        batch.map((e) => ({
          asset,
          partition_index: e.index,
          state: CODE[e.state],
          last_run_id: e.runId ?? null,
          updated_at_ms: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['asset', 'partition_index']).doUpdateSet((eb) => ({
          state: eb.ref('excluded.state'),
          last_run_id: eb.ref('excluded.last_run_id'),
          updated_at_ms: eb.ref('excluded.updated_at_ms'),
        })),
      )
      .execute();
  }
}

/**
 * Writes one state for every partition with an index in [start, end), generated inside the
 * database so that a range of a million partitions costs one statement, not a million rows sent.
 */
export async function setPartitionRange(
  db: Kysely<MetaDatabase>,
  dialect: MetaDialect,
  asset: string,
  range: { start: number; end: number },
  state: PartitionState,
  runId: string | null,
  now: number,
): Promise<number> {
  checkIndex(range.start);
  checkIndex(range.end);
  checkState(state);
  if (range.end <= range.start) return 0;
  const code = CODE[state];
  const series =
    dialect === 'postgres'
      ? sql`SELECT i FROM generate_series(${range.start}::bigint, ${range.end - 1}::bigint) AS g(i)`
      : sql`WITH RECURSIVE g(i) AS (SELECT ${range.start} UNION ALL SELECT i + 1 FROM g WHERE i + 1 < ${range.end}) SELECT i FROM g`;
  // SQLite needs the WHERE to tell its upsert clause from a join constraint.
  await sql`INSERT INTO partition_status (asset, partition_index, state, last_run_id, updated_at_ms)
    SELECT ${asset}, s.i, ${code}, ${runId}, ${now} FROM (${series}) AS s WHERE true
    ON CONFLICT (asset, partition_index) DO UPDATE SET state = excluded.state,
      last_run_id = excluded.last_run_id, updated_at_ms = excluded.updated_at_ms`.execute(db);
  return range.end - range.start;
}

/**
 * Marks materialized partitions stale (their inputs changed; they need a new run). Partitions
 * never materialized stay missing and failed ones stay failed. Returns how many changed.
 */
export async function markStale(
  db: Kysely<MetaDatabase>,
  asset: string,
  target: readonly number[] | { start: number; end: number },
  now: number,
): Promise<number> {
  const base = db
    .updateTable('partition_status')
    .set({ state: CODE.stale, updated_at_ms: now })
    .where('asset', '=', asset)
    .where('state', '=', CODE.succeeded);
  if (!Array.isArray(target)) {
    const range = target as { start: number; end: number };
    checkIndex(range.start);
    checkIndex(range.end);
    const r = await base
      .where('partition_index', '>=', range.start)
      .where('partition_index', '<', range.end)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
  let changed = 0;
  for (const batch of chunks(target, 1000)) {
    batch.forEach(checkIndex);
    const r = await base.where('partition_index', 'in', batch).executeTakeFirst();
    changed += Number(r.numUpdatedRows);
  }
  return changed;
}

/** A page of `asset`'s partition status in index order, optionally only one state. */
export async function listPartitionStatus(
  db: Kysely<MetaDatabase>,
  asset: string,
  query: PartitionStatusQuery,
): Promise<PartitionStatusPage> {
  if (query.state !== undefined) checkState(query.state);
  if (query.afterIndex !== undefined && !Number.isSafeInteger(query.afterIndex)) {
    throw new PipelinesRunArgumentInvalidError(
      `afterIndex ${String(query.afterIndex)} must be a whole number.`,
    );
  }
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? 100), 1), 10_000);
  const rows = await db
    .selectFrom('partition_status')
    .select(['partition_index', 'state', 'last_run_id', 'updated_at_ms'])
    .where('asset', '=', asset)
    .$if(query.state !== undefined, (qb) => qb.where('state', '=', CODE[query.state!]))
    .$if(query.afterIndex !== undefined, (qb) =>
      qb.where('partition_index', '>', query.afterIndex!),
    )
    .orderBy('partition_index')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const items = page.map((r) => {
    const index = Number(r.partition_index);
    return {
      index,
      key: query.partitions?.keyAt(index),
      state: STATE_OF_CODE.get(r.state) ?? 'failed',
      lastRunId: r.last_run_id,
      updatedAt: isoTime(Number(r.updated_at_ms)),
    };
  });
  const last = items[items.length - 1];
  return { items, nextAfterIndex: rows.length > limit && last ? last.index : undefined };
}

/** How many partitions of `asset` are in each stored state. */
export async function countPartitionStatus(
  db: Kysely<MetaDatabase>,
  asset: string,
): Promise<Record<PartitionState, number>> {
  const rows = await db
    .selectFrom('partition_status')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('asset', '=', asset)
    .groupBy('state')
    .execute();
  const counts: Record<PartitionState, number> = { succeeded: 0, failed: 0, stale: 0 };
  for (const r of rows) {
    const state = STATE_OF_CODE.get(r.state);
    if (state) counts[state] = Number(r.n);
  }
  return counts;
}
