/**
 * The run store and task queue: runs, tasks, attempts, logs, backfills, partition status and
 * workers in the metadata database, the same code on SQLite (embedded) and PostgreSQL (cluster).
 */
import type { Kysely } from 'kysely';
import type { MetaDatabase, MetaStore } from '../../meta/index.js';
import { PipelinesRunArgumentInvalidError } from '../errors.js';
import { appendLogs, readLogs, type RunLogInput, type RunLogPage } from './attempt-logs.js';
import {
  checkAttemptLease,
  renewLeases,
  requeueExpired,
  type RequeueResult,
} from './attempt-leases.js';
import {
  completeAttempt,
  failAttempt,
  type AttemptFailure,
  type AttemptOutcome,
  type AttemptSuccess,
} from './attempt-outcome.js';
import {
  reportAndClaim,
  reportInTransaction,
  type AttemptReportInput,
  type AttemptReportResult,
  type ReportsAndClaims,
} from './attempt-reports.js';
import * as backfills from './backfills.js';
import { cancelRun, type CancelResult } from './cancel-run.js';
import { claimAttempts, type ClaimedAttempt, type ClaimOptions } from './claim-attempts.js';
import { insertRun, type CreatedRun } from './insert-run.js';
import * as partitions from './partition-status.js';
import { inTransaction, parseTags, type RunStoreConfig, type TxContext } from './run-context.js';
import { resolveRunStoreOptions, type RunStoreOptions } from './run-store-options.js';
import { flushEvents, listRunEvents, type RunEvent } from './run-events.js';
import { normalizePlan, type RunPlan } from './run-plan.js';
import { getAttempt, getRun, listRuns, type RunPage, type RunQuery } from './run-queries.js';
import type { RunState } from './run-states.js';
import type { AttemptView, RunView } from './run-views.js';
import { retryRun, type RetryRunOptions } from './retry-run.js';
import { pruneRuns } from './prune-runs.js';
import { skipTask } from './skip-task.js';
import * as workers from './workers.js';

/** Runs and the task queue over a metadata store; every method is one transaction. */
export class RunStore {
  readonly config: RunStoreConfig;
  readonly #clock: () => number;
  #retries = 0;

  constructor(
    readonly meta: MetaStore,
    options: RunStoreOptions = {},
  ) {
    this.config = resolveRunStoreOptions(options);
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * Transactions retried after a transient conflict (a PostgreSQL deadlock or serialization
   * failure, a busy SQLite file); the lock order should keep it at 0, so a rise is worth a look.
   */
  get transientRetries(): number {
    return this.#retries;
  }

  /** The store's current time in epoch ms. */
  now(): number {
    return this.#clock();
  }

  async #tx<T>(now: number | undefined, fn: (ctx: TxContext) => Promise<T>): Promise<T> {
    // Whole milliseconds: instants are compared with and stored in bigint columns.
    const at = Math.floor(now ?? this.#clock());
    if (!Number.isSafeInteger(at)) {
      throw new PipelinesRunArgumentInvalidError(`The instant ${String(now)} is not epoch ms.`);
    }
    return inTransaction(
      this.meta,
      async (trx) => {
        const ctx: TxContext = {
          trx,
          dialect: this.meta.dialect,
          now: at,
          config: this.config,
          events: [],
        };
        const result = await fn(ctx);
        await flushEvents(ctx);
        return result;
      },
      () => (this.#retries += 1),
    );
  }

  get #db(): Kysely<MetaDatabase> {
    return this.meta.db;
  }

  /** Creates a run with its tasks and first attempts, atomically. */
  async createRun(plan: RunPlan, now?: number): Promise<CreatedRun> {
    const normalized = normalizePlan(plan);
    return this.#tx(now, (ctx) => insertRun(ctx, normalized));
  }

  /** Claims the best ready attempts for `workerId` within its slots and the pools' limits. */
  claim(workerId: string, options: ClaimOptions): Promise<ClaimedAttempt[]> {
    return this.#tx(options.now, (ctx) => claimAttempts(ctx, workerId, options));
  }

  /** Renews the leases `workerId` holds and records its heartbeat; returns the attempts renewed. */
  heartbeat(workerId: string, now?: number): Promise<string[]> {
    return this.#tx(now, (ctx) => renewLeases(ctx, workerId, this.config.leaseMs));
  }

  /** Takes back attempts whose lease expired (lost workers) and re-queues their tasks. */
  requeueExpired(now?: number): Promise<RequeueResult> {
    return this.#tx(now, (ctx) => requeueExpired(ctx));
  }

  /** Records the success of an attempt `workerId` holds; refused with PIPELINES_LEASE_LOST otherwise. */
  complete(
    attemptId: string,
    workerId: string,
    result: AttemptSuccess = {},
    now?: number,
  ): Promise<AttemptOutcome> {
    return this.#tx(now, (ctx) => completeAttempt(ctx, attemptId, workerId, result));
  }

  /** Records the failure of an attempt `workerId` holds, retrying with backoff while attempts remain. */
  fail(
    attemptId: string,
    workerId: string,
    failure: AttemptFailure,
    now?: number,
  ): Promise<AttemptOutcome> {
    return this.#tx(now, (ctx) => failAttempt(ctx, attemptId, workerId, failure));
  }

  /**
   * Records several reports in one transaction (see `recordReports`); each result says whether
   * its report was recorded, so a lost lease refuses only its own attempt.
   */
  report(reports: readonly AttemptReportInput[], now?: number): Promise<AttemptReportResult[]> {
    return reportInTransaction((fn) => this.#tx(now, fn), reports);
  }

  /** `report`, and claims for `workerId` in the same transaction (see `reportAndClaim`). */
  reportAndClaim(
    reports: readonly AttemptReportInput[],
    workerId: string,
    claim: Omit<ClaimOptions, 'now'>,
    now?: number,
  ): Promise<ReportsAndClaims> {
    return reportAndClaim((fn) => this.#tx(now, fn), reports, workerId, claim);
  }

  /** Skips a waiting or queued task (and transitively what only waits on skipped tasks). */
  skipTask(
    runId: string,
    taskIndex: number,
    reason: string | null = null,
    now?: number,
  ): Promise<RunState> {
    return this.#tx(now, (ctx) => skipTask(ctx, runId, taskIndex, reason));
  }

  /** Cancels a run; returns the running attempts whose processes must be killed. */
  cancelRun(runId: string, options: { reason?: string; now?: number } = {}): Promise<CancelResult> {
    return this.#tx(options.now, (ctx) => cancelRun(ctx, runId, options.reason ?? null));
  }

  /** Creates a retry run of a finished run: its failed part (default) or all of it. */
  retryRun(runId: string, options: RetryRunOptions & { now?: number } = {}): Promise<CreatedRun> {
    return this.#tx(options.now, (ctx) => retryRun(ctx, runId, options));
  }

  /** Inside a transaction of `meta` committing an attempt's output: throws unless the lease is held. */
  checkLease(
    trx: Kysely<MetaDatabase>,
    attemptId: string,
    workerId: string,
    now?: number,
  ): Promise<void> {
    return checkAttemptLease(trx, this.meta.dialect, attemptId, workerId, now ?? this.#clock());
  }

  /** A page of runs, newest first. */
  listRuns(query: RunQuery = {}): Promise<RunPage> {
    return listRuns(this.#db, query);
  }

  /** A run with all its attempts, in the `runs show --json` shape. */
  getRun(runId: string): Promise<RunView> {
    return getRun(this.#db, runId);
  }

  /** A run's kind, job and labels (cheap: no attempts); undefined when it does not exist. */
  async runInfo(
    runId: string,
  ): Promise<
    { state: RunState; kind: string; job: string | null; tags: Record<string, string> } | undefined
  > {
    const row = await this.#db
      .selectFrom('runs')
      .select(['state', 'kind', 'job', 'tags_json'])
      .where('id', '=', runId)
      .executeTakeFirst();
    return row === undefined
      ? undefined
      : {
          state: row.state as RunState,
          kind: row.kind,
          job: row.job,
          tags: { ...parseTags(row.tags_json) },
        };
  }

  /** Which of `attemptIds` belong to runs that were canceled (their processes must be killed). */
  async attemptsOfCanceledRuns(attemptIds: readonly string[]): Promise<string[]> {
    if (attemptIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('attempts')
      .innerJoin('runs', 'runs.id', 'attempts.run_id')
      .select('attempts.id')
      .where('attempts.id', 'in', [...attemptIds])
      .where('runs.state', '=', 'canceled')
      .execute();
    return rows.map((r) => r.id);
  }

  /** One attempt. */
  getAttempt(attemptId: string): Promise<AttemptView & { runId: string }> {
    return getAttempt(this.#db, attemptId);
  }

  /** Every state change of a run and its attempts, oldest first. */
  listRunEvents(runId: string): Promise<RunEvent[]> {
    return listRunEvents(this.#db, runId);
  }

  /** Appends lines to an attempt's log (capped); returns the last sequence number. */
  appendLogs(attemptId: string, lines: readonly RunLogInput[], now?: number): Promise<number> {
    return this.#tx(now, (ctx) => appendLogs(ctx, attemptId, lines));
  }

  /** Lines of an attempt's log after `afterSeq`, for reading and live following. */
  readLogs(
    attemptId: string,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<RunLogPage> {
    return readLogs(this.#db, attemptId, options);
  }

  /** Writes the status of individual partitions of `asset`. */
  setPartitionStatus(
    asset: string,
    entries: readonly partitions.PartitionStatusInput[],
    now?: number,
  ): Promise<void> {
    return partitions.upsertPartitionStatus(this.#db, asset, entries, now ?? this.#clock());
  }

  /** Writes one status for the partitions of `asset` with indexes in [start, end). */
  setPartitionRange(
    asset: string,
    range: { start: number; end: number },
    state: partitions.PartitionState,
    runId: string | null = null,
    now?: number,
  ): Promise<number> {
    return partitions.setPartitionRange(
      this.#db,
      this.meta.dialect,
      asset,
      range,
      state,
      runId,
      now ?? this.#clock(),
    );
  }

  /** Marks materialized partitions of `asset` stale (by indexes or an index range [start, end)). */
  markPartitionStale(
    asset: string,
    target: readonly number[] | { start: number; end: number },
    now?: number,
  ): Promise<number> {
    return partitions.markStale(this.#db, asset, target, now ?? this.#clock());
  }

  /** A page of `asset`'s partition status in index order, optionally of one state. */
  listPartitionStatus(
    asset: string,
    query: partitions.PartitionStatusQuery = {},
  ): Promise<partitions.PartitionStatusPage> {
    return partitions.listPartitionStatus(this.#db, asset, query);
  }

  /** Partitions of `asset` per stored state. */
  countPartitionStatus(asset: string): Promise<Record<partitions.PartitionState, number>> {
    return partitions.countPartitionStatus(this.#db, asset);
  }

  /** Records a new backfill (state requested); runs join it through `RunPlan.backfillId`. */
  async createBackfill(
    input: backfills.BackfillInput,
    now?: number,
  ): Promise<backfills.BackfillView> {
    const at = now ?? this.#clock();
    const id = await this.#tx(at, (ctx) => backfills.createBackfill(ctx, input));
    return backfills.getBackfill(this.#db, id, at);
  }

  /** Records how many of a backfill's tasks were submitted, where a restarted launcher resumes. */
  recordBackfillSubmitted(backfillId: string, submitted: number, now?: number): Promise<void> {
    return this.#tx(now, (ctx) => backfills.recordSubmitted(ctx, backfillId, submitted));
  }

  /** A backfill with its progress (done, failed, remaining, ETA). */
  getBackfill(backfillId: string, now?: number): Promise<backfills.BackfillView> {
    return backfills.getBackfill(this.#db, backfillId, now ?? this.#clock());
  }

  /** Backfills, newest first. */
  listBackfills(
    query: backfills.BackfillQuery = {},
    now?: number,
  ): Promise<backfills.BackfillView[]> {
    return backfills.listBackfills(this.#db, query, now ?? this.#clock());
  }

  /** Cancels a backfill and its active runs; returns the running attempts to kill. */
  async cancelBackfill(backfillId: string, now?: number): Promise<string[]> {
    const at = now ?? this.#clock();
    // The backfill first, so that canceling its last run does not settle it as finished.
    await this.#tx(at, (ctx) => backfills.setBackfillState(ctx, backfillId, 'canceled'));
    const kill: string[] = [];
    for (const state of ['queued', 'running'] as const) {
      let before: string | undefined;
      do {
        const page = await this.listRuns({ backfillId, state, before, limit: 1000 });
        for (const run of page.runs) {
          const reason = `Backfill ${backfillId} canceled.`;
          kill.push(...(await this.cancelRun(run.id, { reason, now: at })).runningAttemptIds);
        }
        before = page.next;
      } while (before !== undefined);
    }
    return kill;
  }

  /**
   * Deletes the runs that ended more than `retentionMs` ago, with their attempts, events and
   * logs; returns how many runs went.
   */
  async pruneHistory(retentionMs: number, now?: number): Promise<number> {
    const cutoff = (now ?? this.#clock()) - retentionMs;
    let total = 0;
    for (;;) {
      const n = await pruneRuns(this.#db, cutoff);
      total += n;
      if (n === 0) return total;
    }
  }

  /** Registers a worker (or refreshes its registration). */
  registerWorker(input: workers.WorkerInput, now?: number): Promise<workers.WorkerInfo> {
    return this.#tx(now, (ctx) => workers.registerWorker(ctx, input));
  }

  /** Every registered worker. */
  listWorkers(): Promise<workers.WorkerInfo[]> {
    return workers.listWorkers(this.#db);
  }

  /** Workers silent for longer than `timeoutMs` (default twice the lease). */
  listDeadWorkers(
    options: { now?: number; timeoutMs?: number } = {},
  ): Promise<workers.WorkerInfo[]> {
    return workers.listDeadWorkers(
      this.#db,
      options.now ?? this.#clock(),
      options.timeoutMs ?? 2 * this.config.leaseMs,
    );
  }

  /** Removes a worker from the registry. */
  removeWorker(workerId: string): Promise<boolean> {
    return workers.removeWorker(this.#db, workerId);
  }
}
