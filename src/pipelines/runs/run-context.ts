/**
 * What every run-store operation works with: the resolved options, one transaction, the instant
 * of the operation, and the run lock that serializes changes to one run across processes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely, Selectable } from 'kysely';
import {
  preparedQuery,
  type MetaDatabase,
  type MetaDialect,
  type MetaStore,
  type QueryTarget,
  type RunsTable,
} from '../../meta/index.js';
import { PipelinesRunNotFoundError } from '../errors.js';
import type { RunEventInput } from './run-events.js';

/** The run store's options after defaults were applied and validated. */
export interface RunStoreConfig {
  /** How long a claim or heartbeat keeps an attempt leased to a worker. */
  readonly leaseMs: number;
  /** Attempts of one task that may be lost with their worker before the task fails. */
  readonly maxLostAttempts: number;
  /** Bytes of log kept at the start of an attempt's log, and again at its end. */
  readonly logCapBytes: number;
  /** Longest stored log line; longer lines are cut. */
  readonly maxLineBytes: number;
  /** Source of the retry jitter, 0..1. */
  readonly random: () => number;
}

/** One operation's context: a transaction handle, the backend, the instant and the options. */
export interface TxContext {
  readonly trx: Kysely<MetaDatabase>;
  readonly dialect: MetaDialect;
  /** Epoch ms of the operation; every timestamp it writes derives from it. */
  readonly now: number;
  readonly config: RunStoreConfig;
  /** State changes recorded and not yet inserted (see `recordEvents`). */
  readonly events: RunEventInput[];
}

/** A row of `runs`. */
export type RunRow = Selectable<RunsTable>;

// PostgreSQL reports deadlocks and serialization failures, SQLite a busy database: all of them
// mean "nothing was written, try again".
const TRANSIENT = new Set(['40P01', '40001', 'SQLITE_BUSY']);

/** Whether `err` is a conflict after which the whole transaction may simply run again. */
export function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT.has(code);
}

/**
 * Runs `fn` in one transaction of `meta` (BEGIN IMMEDIATE on SQLite), retrying a few times when
 * the database reports a transient conflict. `fn` must derive everything from the database.
 */
export async function inTransaction<T>(
  meta: MetaStore,
  fn: (trx: Kysely<MetaDatabase>) => Promise<T>,
  onRetry: (code: string) => void = () => undefined,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await meta.transaction(fn);
    } catch (err) {
      if (attempt >= 5 || !isTransient(err)) throw err;
      onRetry(String((err as { code: string }).code));
      await sleep(5 * attempt + Math.floor(Math.random() * 10));
    }
  }
}

/**
 * Reads run `runId` and, on PostgreSQL, locks its row until the transaction ends. Every change to
 * a run's tasks takes this lock first (claims excepted, see claim-attempts.ts), so two workers
 * finishing the last two upstream tasks of a join never both miss queuing it.
 *
 * Row locks here are `FOR NO KEY UPDATE`, never `FOR UPDATE`: inserting a row that references the
 * run (an event, an attempt) takes a key-share lock on it, which `FOR UPDATE` would block, and a
 * claimer holding attempt locks would then wait on a canceler waiting on those attempts.
 */
export async function lockRun(ctx: TxContext, runId: string): Promise<RunRow> {
  const [row] = await selectRunLocked(ctx, runId);
  if (!row) {
    throw PipelinesRunNotFoundError.of(runId);
  }
  return row;
}

/** `lockRun` reading only the run's state, all a report needs to know of it. */
export async function lockRunState(
  ctx: TxContext,
  runId: string,
): Promise<Pick<RunRow, 'id' | 'state'>> {
  const [row] = await selectRunStateLocked(ctx, runId);
  if (!row) {
    throw PipelinesRunNotFoundError.of(runId);
  }
  return row;
}

const selectRunStateLocked = preparedQuery((target: QueryTarget, runId: string) =>
  target.trx
    .selectFrom('runs')
    .select(['id', 'state'])
    .where('id', '=', runId)
    .$if(target.dialect === 'postgres', (qb) => qb.forNoKeyUpdate()),
);

const selectRunLocked = preparedQuery((target: QueryTarget, runId: string) =>
  target.trx
    .selectFrom('runs')
    .selectAll()
    .where('id', '=', runId)
    .$if(target.dialect === 'postgres', (qb) => qb.forNoKeyUpdate()),
);

/** Reads run `runId` as it is in the transaction of `ctx` (no lock); undefined when missing. */
export async function readRun(ctx: TxContext, runId: string): Promise<RunRow | undefined> {
  const [row] = await selectRun(ctx, runId);
  return row;
}

const selectRun = preparedQuery((target: QueryTarget, runId: string) =>
  target.trx.selectFrom('runs').selectAll().where('id', '=', runId),
);

/** Parses a JSON column holding an object of strings (tags). */
export function parseTags(json: string): Record<string, string> {
  const value = JSON.parse(json) as unknown;
  return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
}
