/**
 * The task queue's claim: a worker takes the highest-priority ready attempts, within its free
 * slots and the pools' cluster-wide limits, and holds them under a lease.
 *
 * On PostgreSQL candidates are locked with `FOR UPDATE SKIP LOCKED`, so concurrent workers take
 * disjoint attempts without waiting on each other; pools with a limit are counted under a
 * per-pool advisory lock, so two workers cannot both see the last free slot. On SQLite the whole
 * claim runs inside BEGIN IMMEDIATE, which serializes claimers.
 */
import { sql, type SelectQueryBuilder, type Selection } from 'kysely';
import { preparedQuery, type MetaDatabase, type QueryTarget } from '../../meta/index.js';
import { PipelinesRunArgumentInvalidError } from '../errors.js';
import type { TxContext } from './run-context.js';
import { recordEvents } from './run-events.js';
import { isoTime } from './run-ids.js';
import { setRunState, setTaskStates } from './task-transitions.js';

/** Options of `claim`. */
export interface ClaimOptions {
  /** Most attempts to claim: the worker's free slots. */
  slots: number;
  /**
   * Slot limits of concurrency pools, cluster-wide: at most this many attempts of a pool run at
   * once across all workers (the store subtracts those already running). Unlisted pools are
   * unlimited.
   */
  pools?: Readonly<Record<string, number>>;
  /** The instant of the claim (default the store's clock). */
  now?: number;
  /** Lease length (default the store's `leaseMs`). */
  leaseMs?: number;
}

/** An attempt a worker now holds. */
export interface ClaimedAttempt {
  readonly attemptId: string;
  readonly runId: string;
  readonly taskIndex: number;
  readonly asset: string;
  readonly partition: string | null;
  /** Attempt number, 1 for the first. */
  readonly attempt: number;
  readonly pool: string | null;
  readonly priority: number;
  /** The lease ends here unless a heartbeat renews it. */
  readonly leaseExpiresAtMs: number;
  /** Time between becoming ready and being claimed. */
  readonly queueSeconds: number;
}

const COLUMNS = [
  'id',
  'run_id',
  'task_index',
  'asset',
  'partition_key',
  'attempt',
  'pool',
  'priority',
  'not_before_ms',
] as const;
type Candidate = Selection<MetaDatabase, 'attempts', (typeof COLUMNS)[number]> & {
  /** State of the attempt's run as read, unlocked: only a queued run needs starting. */
  run_state: string | null;
};

/**
 * The states the queue's partial indexes are defined on, as literals in the SQL. SQLite plans a
 * statement with the values of parameters compared to an indexed column (a partial index's) or
 * given as the LIMIT, and then re-prepares it at every execution, as if its schema had changed:
 * that made the claim's select cost ten times its run. So states are literals, and the LIMIT an
 * expression (`CAST(? AS integer)`), which SQLite does not evaluate while planning.
 */
const QUEUED = sql.lit('queued');
const RUNNING = sql.lit('running');

function checkCount(what: string, n: unknown): number {
  if (!Number.isSafeInteger(n) || (n as number) < 0) {
    throw new PipelinesRunArgumentInvalidError(`${what} is ${String(n)}; use a whole number >= 0.`);
  }
  return n as number;
}

/** Ready attempts at `now`, best first, locked on PostgreSQL, of the pools `where` selects. */
function readyQuery(
  target: QueryTarget,
  now: number,
  limit: number,
  where: (
    qb: SelectQueryBuilder<MetaDatabase, 'attempts', Candidate>,
  ) => SelectQueryBuilder<MetaDatabase, 'attempts', Candidate>,
) {
  return target.trx
    .selectFrom('attempts')
    .select(COLUMNS)
    .select((eb) =>
      eb
        .selectFrom('runs')
        .select('runs.state')
        .whereRef('runs.id', '=', 'attempts.run_id')
        .as('run_state'),
    )
    .where('state', '=', QUEUED)
    .where('not_before_ms', '<=', now)
    .$call(where)
    .orderBy('priority', 'desc')
    .orderBy('id')
    .limit(sql<number>`CAST(${limit} AS integer)`)
    .$if(target.dialect === 'postgres', (qb) => qb.forNoKeyUpdate().skipLocked());
}

/** Ready attempts of no pool or of a pool not in `limited` (the pools with a slot limit). */
const readyOutsidePools = preparedQuery(
  (target: QueryTarget, now: number, limit: number, limited: readonly string[]) =>
    readyQuery(target, now, limit, (qb) =>
      limited.length === 0
        ? qb
        : qb.where((eb) => eb.or([eb('pool', 'is', null), eb('pool', 'not in', limited)])),
    ),
);

/** Ready attempts of `pool`. */
const readyInPool = preparedQuery((target: QueryTarget, now: number, limit: number, pool: string) =>
  readyQuery(target, now, limit, (qb) => qb.where('pool', '=', pool)),
);

/** Ready attempts outside the limited pools, or of one limited pool; best first. */
async function candidates(
  ctx: TxContext,
  limit: number,
  pools: { readonly limited: readonly string[] } | { readonly pool: string },
): Promise<Candidate[]> {
  if (limit <= 0) return [];
  return 'pool' in pools
    ? readyInPool(ctx, ctx.now, limit, pools.pool)
    : readyOutsidePools(ctx, ctx.now, limit, pools.limited);
}

/** Free slots of each limited pool that has ready attempts, counted under the pool's lock. */
async function freeSlots(
  ctx: TxContext,
  limits: Readonly<Record<string, number>>,
): Promise<Map<string, number>> {
  const limited = Object.keys(limits).sort();
  if (limited.length === 0) return new Map();
  const ready = await ctx.trx
    .selectFrom('attempts')
    .select('pool')
    .distinct()
    .where('state', '=', QUEUED)
    .where('not_before_ms', '<=', ctx.now)
    .where('pool', 'in', limited)
    .execute();
  const pools = ready.map((r) => r.pool as string).sort();
  if (pools.length === 0) return new Map();
  if (ctx.dialect === 'postgres') {
    // Sorted, so two claimers never wait on each other's pool locks in opposite orders.
    for (const pool of pools) {
      await sql`SELECT pg_advisory_xact_lock(7420002, hashtext(${pool}))`.execute(ctx.trx);
    }
  }
  const running = await ctx.trx
    .selectFrom('attempts')
    .select(['pool', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', '=', RUNNING)
    .where('pool', 'in', pools)
    .groupBy('pool')
    .execute();
  const busy = new Map(running.map((r) => [r.pool as string, Number(r.n)]));
  return new Map(pools.map((p) => [p, Math.max(0, (limits[p] ?? 0) - (busy.get(p) ?? 0))]));
}

/**
 * Runs of the chosen attempts that are still queued must become running; on PostgreSQL their
 * rows are locked without waiting (a run being canceled keeps its lock), and attempts of runs
 * that could not be locked are left for the next claim instead of risking a deadlock.
 */
async function startRuns(ctx: TxContext, chosen: Candidate[]): Promise<Candidate[]> {
  // Runs read as running stay running (a run only leaves running by ending, which leaves no
  // attempt queued); runs read as queued are checked again under their lock.
  const runIds = [...new Set(chosen.filter((c) => c.run_state === 'queued').map((c) => c.run_id))];
  if (runIds.length === 0) return chosen;
  const queued = await ctx.trx
    .selectFrom('runs')
    .select('id')
    .where('id', 'in', runIds)
    .where('state', '=', 'queued')
    .execute();
  if (queued.length === 0) return chosen;
  const locked =
    ctx.dialect === 'postgres'
      ? await ctx.trx
          .selectFrom('runs')
          .select('id')
          .where(
            'id',
            'in',
            queued.map((r) => r.id),
          )
          .where('state', '=', 'queued')
          .forNoKeyUpdate()
          .skipLocked()
          .execute()
      : queued;
  const started = new Set(locked.map((r) => r.id));
  for (const id of [...started].sort()) await setRunState(ctx, { id, state: 'queued' }, 'running');
  const skipped = new Set(queued.map((r) => r.id).filter((id) => !started.has(id)));
  return chosen.filter((c) => !skipped.has(c.run_id));
}

const leaseAttempts = preparedQuery(
  (
    target: QueryTarget,
    ids: readonly string[],
    workerId: string,
    at: string,
    leaseExpiresAtMs: number,
    now: number,
  ) =>
    target.trx
      .updateTable('attempts')
      .set({
        state: 'running',
        worker_id: workerId,
        started_at: at,
        lease_expires_at_ms: leaseExpiresAtMs,
        queue_seconds: sql<number>`CAST(${now} - not_before_ms AS double precision) / 1000.0`,
      })
      .where('id', 'in', ids),
);

const touchWorker = preparedQuery((target: QueryTarget, workerId: string, now: number) =>
  target.trx.updateTable('workers').set({ heartbeat_at_ms: now }).where('id', '=', workerId),
);

/** Claims up to `options.slots` ready attempts for `workerId`. */
export async function claimAttempts(
  ctx: TxContext,
  workerId: string,
  options: ClaimOptions,
): Promise<ClaimedAttempt[]> {
  const slots = checkCount('claim slots', options.slots);
  const limits = options.pools ?? {};
  for (const [pool, n] of Object.entries(limits)) checkCount(`Slots of pool "${pool}"`, n);
  const leaseMs = options.leaseMs ?? ctx.config.leaseMs;
  if (slots === 0) return [];
  const free = await freeSlots(ctx, limits);
  const limited = Object.keys(limits);
  const found = await candidates(ctx, slots, { limited });
  for (const [pool, n] of free) {
    found.push(...(await candidates(ctx, Math.min(n, slots), { pool })));
  }
  if (found.length === 0) return [];
  found.sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const chosen = await startRuns(ctx, found.slice(0, slots));
  if (chosen.length === 0) return [];
  const at = isoTime(ctx.now);
  const leaseExpiresAtMs = ctx.now + leaseMs;
  await leaseAttempts(
    ctx,
    chosen.map((c) => c.id),
    workerId,
    at,
    leaseExpiresAtMs,
    ctx.now,
  );
  // Per run, by task index: a list of (run, task) pairs costs PostgreSQL one index scan each.
  for (const runId of new Set(chosen.map((c) => c.run_id))) {
    const indexes = chosen.filter((c) => c.run_id === runId).map((c) => c.task_index);
    await setTaskStates(ctx, runId, indexes, 'running', at);
  }
  await touchWorker(ctx, workerId, ctx.now);
  recordEvents(
    ctx,
    chosen.map((c) => ({
      entity: 'attempt' as const,
      runId: c.run_id,
      attemptId: c.id,
      taskIndex: c.task_index,
      from: 'queued',
      to: 'running',
      message: `claimed by ${workerId}`,
    })),
  );
  return chosen.map((c) => ({
    attemptId: c.id,
    runId: c.run_id,
    taskIndex: c.task_index,
    asset: c.asset,
    partition: c.partition_key,
    attempt: c.attempt,
    pool: c.pool,
    priority: c.priority,
    leaseExpiresAtMs,
    queueSeconds: (ctx.now - Number(c.not_before_ms)) / 1000,
  }));
}
