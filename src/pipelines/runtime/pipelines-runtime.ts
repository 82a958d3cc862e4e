/**
 * The pipelines runtime of one process: the project, the executor pool and task runner (worker
 * role), the scheduler with schedules, sensors and backfill resumption (scheduler role, active on
 * one node at a time through a lease), and the operations the CLI and API call: submit, backfill,
 * cancel, retry, wait. Embedded mode runs both roles in one process; cluster mode spreads them.
 */
import { availableParallelism, hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newSortableId, type Logger } from '../../core/index.js';
import type { Lake } from '../../lake/index.js';
import { acquireLease, MetaLeaseTimeoutError, type Lease } from '../../meta/index.js';
import { ExecutorPool } from '../executor/index.js';
import type { RunStore } from '../runs/index.js';
import { isTerminal, type CreatedRun, type RunPlan, type RunView } from '../runs/index.js';
import {
  BACKFILL_CHUNK,
  backfillPlans,
  launchBackfill,
  type BackfillPreview,
  type BackfillRequest,
} from './backfill-launcher.js';
import type { ProjectHolder } from './project-holder.js';
import { blockingFailure, runAssetChecks } from './asset-check-runner.js';
import { combineHooks, type RuntimeHooks } from './runtime-hooks.js';
import { ScheduleRunner } from './schedule-runner.js';
import { planSelection, refuseUnusedPartition, type SelectionRequest } from './selection.js';
import { SensorRunner } from './sensor-runner.js';
import { TaskRunner } from './task-runner.js';
import { WORKER_LAKE_ENV, type WorkerLakeSettings } from './worker-lake.js';

/** Options of `PipelinesRuntime.start`. */
export interface RuntimeOptions {
  store: RunStore;
  project: ProjectHolder;
  logger: Logger;
  /** Where workers find the lake. */
  lake: WorkerLakeSettings;
  /** The lake asset checks run against in this process (checks are skipped without it). */
  checksLake?: Lake;
  /** Run attempts in this process tree (slots: 0 = one per core). */
  worker?: { slots?: number; pools?: Readonly<Record<string, number>>; pollMs?: number };
  /** Evaluate schedules and sensors (when this node holds the scheduler lease). */
  scheduler?: { tickMs?: number; leaseTtlMs?: number; runRetentionDays?: number };
  secrets?: Readonly<Record<string, string>>;
  hooks?: RuntimeHooks;
}

/** The lease that makes one scheduler active in a cluster. */
export const SCHEDULER_LEASE = 'pipelines-scheduler';

/** A running pipelines runtime. */
export class PipelinesRuntime {
  readonly #o: RuntimeOptions;
  #executor: ExecutorPool | undefined;
  #runner: TaskRunner | undefined;
  #schedules: ScheduleRunner | undefined;
  #sensors: SensorRunner | undefined;
  #lease: Lease | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  #leaderWait: Promise<void> | undefined;
  readonly #launching = new Set<string>();

  private constructor(options: RuntimeOptions) {
    this.#o = options;
  }

  /** Starts the roles asked for. */
  static async start(options: RuntimeOptions): Promise<PipelinesRuntime> {
    const runtime = new PipelinesRuntime(options);
    try {
      if (options.worker) await runtime.#startWorker(options.worker);
      if (options.scheduler) runtime.#startScheduler(options.scheduler);
    } catch (err) {
      await runtime.stop();
      throw err;
    }
    return runtime;
  }

  /** The run store. */
  get store(): RunStore {
    return this.#o.store;
  }

  /** The project served. */
  get project(): ProjectHolder {
    return this.#o.project;
  }

  /** Whether this node is the active scheduler. */
  get isScheduler(): boolean {
    return this.#lease !== undefined;
  }

  /** This node's worker id, when it runs attempts. */
  get workerId(): string | undefined {
    return this.#runner?.workerId;
  }

  /** Attempts running on this node. */
  get runningAttempts(): number {
    return this.#runner?.running ?? 0;
  }

  /** Executor pool figures, when this node runs attempts. */
  executorStats(): ReturnType<ExecutorPool['stats']> | undefined {
    return this.#executor?.stats();
  }

  async #startWorker(worker: NonNullable<RuntimeOptions['worker']>): Promise<void> {
    const { lake } = this.#o;
    const workerId = `${hostname()}-${process.pid}-${newSortableId('w_')}`;
    process.env[WORKER_LAKE_ENV] = JSON.stringify({ ...lake, workerId });
    const slots = worker.slots && worker.slots > 0 ? worker.slots : availableParallelism();
    const here = path.dirname(fileURLToPath(import.meta.url));
    const ext = path.extname(fileURLToPath(import.meta.url));
    this.#executor = await ExecutorPool.start({
      slots,
      lakeFactory: { module: path.join(here, `worker-lake${ext}`), export: 'createLake' },
    });
    this.#runner = new TaskRunner({
      workerId,
      store: this.#o.store,
      executor: this.#executor,
      project: this.#o.project,
      slots,
      pools: worker.pools,
      lakePath: lake.lakePath,
      secrets: this.#o.secrets,
      pollMs: worker.pollMs,
      logger: this.#o.logger,
      hooks: combineHooks(this.#checksHook(), this.#o.hooks),
    });
    await this.#runner.start();
  }

  /** Runs the asset's checks after each successful attempt; a failed blocking check fails it. */
  #checksHook(): RuntimeHooks {
    const lake = this.#o.checksLake;
    if (lake === undefined) return {};
    return {
      afterSuccess: async (claim, result) => {
        const asset = this.#o.project.current().assets.get(claim.asset);
        if (asset === undefined || asset.checks.length === 0) return undefined;
        const target = {
          runId: claim.runId,
          attemptId: claim.attemptId,
          partition: claim.partition ?? undefined,
          metadata: result.metadata,
        };
        const outcomes = await runAssetChecks(lake, asset, target, this.#o.logger);
        for (const o of outcomes) this.#o.hooks?.checkFinished?.(asset.name, o, claim.attemptId);
        return blockingFailure(outcomes);
      },
    };
  }

  #startScheduler(options: NonNullable<RuntimeOptions['scheduler']>): void {
    const { store, logger, hooks } = this.#o;
    const submit = (plan: RunPlan): Promise<CreatedRun> => this.submitPlan(plan);
    const onTick = (schedule: string, lagSeconds: number): void =>
      hooks?.scheduleTicked?.(schedule, lagSeconds);
    this.#schedules = new ScheduleRunner(store.meta, submit, logger, onTick);
    this.#sensors = new SensorRunner(store, submit, logger);
    const ttlMs = options.leaseTtlMs ?? 15_000;
    this.#leaderWait = (async () => {
      // Poll for the lease rather than block in acquireLease, so stop() ends the wait at once.
      while (!this.#stopped) {
        try {
          this.#lease = await acquireLease(store.meta, SCHEDULER_LEASE, { ttlMs, waitMs: 0 });
          break;
        } catch (err) {
          if (!(err instanceof MetaLeaseTimeoutError))
            logger.error({ err }, 'taking the scheduler lease failed');
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, ttlMs / 3)));
        }
      }
      if (this.#lease === undefined) return;
      if (this.#stopped) return;
      logger.info('this node is the active scheduler');
      await this.#resumeBackfills();
      this.#tickLoop(options.tickMs ?? 1000);
      this.#pruneLoop(options.runRetentionDays ?? 0);
    })();
  }

  /** Deletes runs older than the retention, now and hourly (0 days keeps everything). */
  #pruneLoop(days: number): void {
    if (days <= 0) return;
    const prune = (): void => {
      void this.#o.store
        .pruneHistory(days * 86_400_000)
        .then((n) => n > 0 && this.#o.logger.info({ runs: n, days }, 'old runs pruned'))
        .catch((err: unknown) => this.#o.logger.error({ err }, 'pruning old runs failed'));
    };
    prune();
    this.#pruneTimer = setInterval(prune, 3_600_000);
    this.#pruneTimer.unref();
  }

  #tickLoop(tickMs: number): void {
    let busy = false;
    this.#timer = setInterval(() => {
      if (busy || this.#stopped) return;
      busy = true;
      void this.tick(Date.now()).finally(() => (busy = false));
    }, tickMs);
    this.#timer.unref();
  }

  /** Evaluates schedules and sensors at `now` (the tick loop calls it; tests call it directly). */
  async tick(now: number): Promise<void> {
    const snapshot = this.#o.project.current();
    try {
      await this.#schedules?.evaluate(snapshot, now);
      await this.#sensors?.evaluate(snapshot, now);
    } catch (err) {
      this.#o.logger.error({ err }, 'scheduler tick failed');
    }
  }

  /** Creates a run from a plan and wakes the local worker. */
  async submitPlan(plan: RunPlan): Promise<CreatedRun> {
    const created = await this.#o.store.createRun(plan);
    this.#runner?.wake();
    return created;
  }

  /** Creates the run that materializes `request` (a user's: a partition nothing takes is refused). */
  submit(request: SelectionRequest): Promise<CreatedRun> {
    const assets = [...this.#o.project.current().assets.values()];
    refuseUnusedPartition(assets, request);
    return this.submitPlan(planSelection(assets, request));
  }

  /** What a backfill would run, without running it. */
  previewBackfill(request: BackfillRequest): BackfillPreview {
    return backfillPlans([...this.#o.project.current().assets.values()], request).preview;
  }

  /** Records a backfill and starts submitting its runs; resolves once it is recorded. */
  async backfill(
    request: BackfillRequest,
  ): Promise<{ backfillId: string; preview: BackfillPreview }> {
    const preview = this.previewBackfill(request);
    const view = await this.#o.store.createBackfill({
      assets: request.assets,
      from: request.from,
      to: request.to,
      downstream: request.downstream ?? false,
      total: preview.tasks,
      tags: { ...request.tags, chunk: String(BACKFILL_CHUNK) },
    });
    await this.#launch(view.id);
    return { backfillId: view.id, preview };
  }

  async #launch(backfillId: string): Promise<void> {
    if (this.#launching.has(backfillId)) return;
    this.#launching.add(backfillId);
    try {
      const view = await this.#o.store.getBackfill(backfillId);
      const assets = [...this.#o.project.current().assets.values()];
      await launchBackfill(this.#o.store, assets, view, (p) => this.submitPlan(p), this.#o.logger);
    } finally {
      this.#launching.delete(backfillId);
    }
  }

  async #resumeBackfills(): Promise<void> {
    for (const state of ['requested', 'running'] as const) {
      for (const b of await this.#o.store.listBackfills({ state })) {
        if (b.submitted >= b.total) continue;
        this.#o.logger.info({ backfillId: b.id, submitted: b.submitted }, 'resuming backfill');
        await this.#launch(b.id).catch((err: unknown) =>
          this.#o.logger.error({ err, backfillId: b.id }, 'resuming the backfill failed'),
        );
      }
    }
  }

  /** Cancels a run and kills its attempts running here (other workers see it at their heartbeat). */
  async cancel(runId: string, reason?: string): Promise<string[]> {
    const result = await this.#o.store.cancelRun(runId, { reason });
    for (const id of result.runningAttemptIds) this.#runner?.kill(id, reason ?? 'Run canceled.');
    this.#runner?.wake();
    return [...result.runningAttemptIds];
  }

  /** Cancels a backfill and its runs. */
  async cancelBackfill(backfillId: string): Promise<void> {
    const kill = await this.#o.store.cancelBackfill(backfillId);
    for (const id of kill) this.#runner?.kill(id, `Backfill ${backfillId} canceled.`);
  }

  /** Re-runs a finished run: its failed part (default) or all of it. */
  async retry(runId: string, failedOnly = true): Promise<CreatedRun> {
    const created = await this.#o.store.retryRun(runId, { failedOnly });
    this.#runner?.wake();
    return created;
  }

  /** Resolves with the run once it has ended. */
  async waitForRun(runId: string, pollMs = 100): Promise<RunView> {
    // The state alone while waiting: a run of 10,000 tasks is read in full once, at the end.
    for (;;) {
      const info = await this.#o.store.runInfo(runId);
      if (info === undefined || isTerminal('run', info.state)) return this.#o.store.getRun(runId);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Stops scheduling, lets running attempts finish within `graceMs`, and closes the pool. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopped = true;
    await this.#leaderWait;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    await this.#lease?.release().catch(() => undefined);
    this.#lease = undefined;
    await this.#runner?.stop(graceMs);
    await this.#executor?.close({ graceMs: 1000 });
    this.#o.project.close();
  }
}
