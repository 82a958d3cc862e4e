/**
 * The worker loop: claims ready attempts from the run store within its slots and the pools'
 * limits, runs each in the executor pool, streams its log lines to the store, renews its leases
 * by heartbeat (killing attempts whose lease it lost, e.g. after a cancel), and reports each
 * outcome with the resources the executor measured. The same loop serves the embedded platform,
 * `marketlake worker` and `run --wait` without a platform.
 */
import { hostname } from 'node:os';
import type { Logger } from '../../core/index.js';
import { messageOf, newSortableId } from '../../core/index.js';
import { PipelinesLeaseLostError } from '../errors.js';
import {
  attemptRequestFor,
  type AttemptHandle,
  type AttemptLogLine,
  type AttemptResult,
  type ExecutorPool,
} from '../executor/index.js';
import type { ClaimedAttempt, RunLogInput, RunStore } from '../runs/index.js';
import type { ProjectHolder } from './project-holder.js';
import { ReportBatcher } from './report-batcher.js';
import { reportInput, type LoopFailure } from './report-input.js';
import { ShortAttempts } from './short-attempts.js';
import type { AttemptReport, RuntimeHooks } from './runtime-hooks.js';

/** Run tag naming the file an inbox sensor handed to the run. */
export const INBOX_FILE_TAG = 'inbox.file';

/** Options of `TaskRunner`. */
export interface TaskRunnerOptions {
  store: RunStore;
  executor: ExecutorPool;
  project: ProjectHolder;
  /** Attempts at once (default the executor's slots). */
  slots?: number;
  /** Cluster-wide slot limits of pools. */
  pools?: Readonly<Record<string, number>>;
  /** Lake root given to tasks. */
  lakePath: string;
  /** Secrets by name for `ctx.secret` and commands. */
  secrets?: Readonly<Record<string, string>>;
  /** Worker id (default a new one). */
  workerId?: string;
  /**
   * Attempts claimed beyond the free slots, queued in the executor pool so a slot that frees
   * up starts the next attempt at once instead of after a round trip to the store (0 claims
   * only for free slots). Default: the slots, and 4 to 32 times the slots while recent attempts
   * are short, enough to cover a report transaction (see `ShortAttempts`), claimed in batches.
   */
  prefetch?: number;
  /** How often to look for work when nothing wakes the loop (default 200 ms). */
  pollMs?: number;
  /** Take back other workers' expired attempts this often (default a third of the lease). */
  requeueMs?: number;
  logger: Logger;
  hooks?: RuntimeHooks;
}

interface Running {
  readonly claim: ClaimedAttempt;
  readonly handle: AttemptHandle;
  readonly logs: RunLogInput[];
  flushing: Promise<unknown>;
}

const LOG_FLUSH_MS = 250;

/** Claims and runs attempts until stopped. */
export class TaskRunner {
  readonly workerId: string;
  readonly #o: TaskRunnerOptions;
  readonly #slots: number;
  readonly #running = new Map<string, Running>();
  readonly #starting = new Set<string>();
  readonly #tags = new Map<string, Record<string, string>>();
  readonly #short = new ShortAttempts();
  readonly #reports: ReportBatcher;
  #stopped = true;
  #wakeUp: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #timers: NodeJS.Timeout[] = [];

  constructor(options: TaskRunnerOptions) {
    this.#o = options;
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${newSortableId('w_')}`;
    this.#slots = options.slots ?? options.executor.stats().slots;
    this.#reports = new ReportBatcher(options.store, {
      claimFor: (ending) => {
        const slots = this.#freeToClaim(ending);
        return slots > 0 ? { workerId: this.workerId, slots, pools: this.#o.pools } : undefined;
      },
      claimed: (claims) => {
        for (const claim of claims) this.#dispatch(claim);
      },
      claimFailed: (err) => this.#o.logger.error({ err }, 'claiming attempts failed; retrying'),
      wrote: (seconds) => this.#short.recordStore(seconds),
    });
  }

  /** Attempts this runner is running. */
  get running(): number {
    return this.#running.size;
  }

  /** Registers the worker and starts claiming. */
  async start(): Promise<void> {
    const { store } = this.#o;
    await store.registerWorker({ id: this.workerId, slots: this.#slots });
    this.#stopped = false;
    const lease = store.config.leaseMs;
    // Often enough that a cancel from another process (the CLI) kills the attempt within a second.
    this.#every(Math.max(50, Math.min(1000, Math.floor(lease / 3))), () => this.#heartbeat());
    this.#every(this.#o.requeueMs ?? Math.max(50, Math.floor(lease / 3)), async () => {
      const { requeued } = await store.requeueExpired();
      if (requeued.length > 0) {
        this.#o.logger.warn({ attempts: requeued.length }, 'requeued attempts of a lost worker');
        this.wake();
      }
    });
    this.#every(LOG_FLUSH_MS, () => this.#flushAll());
    this.#loop = this.#claimLoop();
  }

  /** Looks for work now (a run was created, an attempt finished). */
  wake(): void {
    const resolve = this.#wakeUp;
    this.#wakeUp = undefined;
    resolve?.();
  }

  /** Kills the attempt if this runner runs it; true when it did. */
  kill(attemptId: string, reason: string): boolean {
    const running = this.#running.get(attemptId);
    if (!running) return false;
    this.#o.executor.cancel(attemptId, reason);
    return true;
  }

  /**
   * Stops claiming; waits up to `graceMs` for running attempts, then kills the rest (their
   * outcome is still reported, as KILLED) and removes the worker's registration.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.wake();
    await this.#loop;
    // Attempts of runs canceled meanwhile need no grace: kill them now, not at the next heartbeat.
    await this.#heartbeat().catch(() => undefined);
    const deadline = Date.now() + graceMs;
    while (this.#running.size + this.#starting.size > 0 && Date.now() < deadline) await sleep(25);
    for (const id of this.#running.keys()) this.#o.executor.cancel(id, 'The worker is stopping.');
    while (this.#running.size > 0) await sleep(25);
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.#o.store.removeWorker(this.workerId).catch(() => false);
  }

  #every(ms: number, fn: () => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.#stopped) return;
      busy = true;
      fn()
        .catch((err: unknown) => this.#o.logger.error({ err }, 'worker housekeeping failed'))
        .finally(() => (busy = false));
    }, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  async #claimLoop(): Promise<void> {
    const { store, logger } = this.#o;
    const pollMs = this.#o.pollMs ?? 200;
    while (!this.#stopped) {
      const free = this.#freeToClaim(0);
      let claimed: ClaimedAttempt[] = [];
      if (free > 0) {
        try {
          claimed = await store.claim(this.workerId, { slots: free, pools: this.#o.pools });
        } catch (err) {
          logger.error({ err }, 'claiming attempts failed; retrying');
        }
      }
      for (const claim of claimed) this.#dispatch(claim);
      if (claimed.length > 0 && claimed.length === free) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        this.#wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /**
   * How many attempts to claim once `ending` of those held have ended: room for the slots and
   * the prefetch, or 0 while the room is less than a batch. While attempts are in hand a batch
   * at a time, because one store transaction per attempt would cost more than a short attempt.
   */
  #freeToClaim(ending: number): number {
    if (this.#stopped) return 0;
    const prefetch = this.#o.prefetch ?? this.#slots * this.#short.prefetchPerSlot();
    const held = this.#running.size + this.#starting.size - ending;
    const free = this.#slots + prefetch - held;
    const batch = held === 0 ? 1 : Math.max(1, Math.ceil(prefetch / 2));
    return free >= batch ? free : 0;
  }

  async #heartbeat(): Promise<void> {
    const { store, executor, logger, hooks } = this.#o;
    const before = [...this.#running.keys()];
    const renewed = new Set(await store.heartbeat(this.workerId));
    this.#safely(() => hooks?.heartbeat?.());
    for (const id of before) {
      if (renewed.has(id) || !this.#running.has(id)) continue;
      // Taken back after this worker was presumed dead: another owner runs it now.
      logger.warn({ attemptId: id }, 'lease lost; killing the attempt');
      executor.cancel(id, 'The lease of the attempt was lost.');
    }
    // A cancel from another process (the CLI, another API node) reaches this worker here.
    for (const id of await store.attemptsOfCanceledRuns(before.filter((i) => renewed.has(i))))
      executor.cancel(id, 'The run was canceled.');
  }

  /** The file an inbox sensor gave the claim's run, from its tags (cached per run). */
  async #inputFile(runId: string): Promise<string | undefined> {
    let tags = this.#tags.get(runId);
    if (tags === undefined) {
      tags = (await this.#o.store.runInfo(runId))?.tags ?? {};
      if (this.#tags.size > 1000) this.#tags.clear();
      this.#tags.set(runId, tags);
    }
    return tags[INBOX_FILE_TAG];
  }

  #dispatch(claim: ClaimedAttempt): void {
    // Counted as running at once, so the claim loop never takes more than its slots.
    this.#starting.add(claim.attemptId);
    void this.#inputFile(claim.runId)
      .catch(() => undefined)
      .then((file) => {
        this.#starting.delete(claim.attemptId);
        this.#start(claim, file);
      });
  }

  #start(claim: ClaimedAttempt, inputFile: string | undefined): void {
    const { project, executor, logger } = this.#o;
    const snapshot = project.current();
    const asset = snapshot.assets.get(claim.asset);
    const logs: RunLogInput[] = [];
    if (asset === undefined) {
      void this.#report(claim, undefined, {
        message: `Asset "${claim.asset}" is no longer defined in the project (removed or broken). Fix the pipeline file, then retry the run.`,
        code: 'PIPELINES_UNKNOWN_ASSET',
        retryable: false,
      });
      return;
    }
    let handle: AttemptHandle;
    try {
      const request = attemptRequestFor(
        asset,
        { projectDir: snapshot.projectDir, file: snapshot.files.get(claim.asset) },
        {
          attemptId: claim.attemptId,
          runId: claim.runId,
          attempt: claim.attempt,
          partition: claim.partition ?? undefined,
          partitionParts: snapshot.partitionParts(asset, claim.partition),
          ...(inputFile !== undefined ? { inputFile } : {}),
          lakePath: this.#o.lakePath,
          enqueuedAt: Date.now() - claim.queueSeconds * 1000,
          priority: claim.priority,
          secrets: { ...this.#o.secrets },
          onLog: (line) => logs.push(logInput(line)),
          ...(snapshot.codeVersion ? { codeVersion: snapshot.codeVersion } : {}),
        },
      );
      handle = executor.execute(request);
    } catch (err) {
      logger.error({ err, attemptId: claim.attemptId }, 'could not start the attempt');
      void this.#report(claim, undefined, { message: messageOf(err), retryable: false });
      return;
    }
    const running: Running = { claim, handle, logs, flushing: Promise.resolve() };
    this.#running.set(claim.attemptId, running);
    this.#safely(() => this.#o.hooks?.attemptStarted?.(claim));
    void handle.result.then(async (result) => {
      this.#short.record(result.usage.wallSeconds);
      await this.#flush(running);
      const claimedAlready = await this.#report(claim, result);
      this.#running.delete(claim.attemptId);
      if (!claimedAlready) this.wake();
    });
  }

  /** Runs an observer; its failure is logged, never allowed to break the worker loop. */
  #safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#o.logger.error({ err }, 'a runtime hook failed');
    }
  }

  #flushAll(): Promise<unknown> {
    return Promise.all([...this.#running.values()].map((r) => this.#flush(r)));
  }

  #flush(running: Running): Promise<unknown> {
    running.flushing = running.flushing.then(async () => {
      if (running.logs.length === 0) return;
      const lines = running.logs.splice(0, running.logs.length);
      await this.#o.store.appendLogs(running.claim.attemptId, lines).catch((err: unknown) => {
        this.#o.logger.warn({ err, attemptId: running.claim.attemptId }, 'log lines lost');
      });
    });
    return running.flushing;
  }

  async #report(
    claim: ClaimedAttempt,
    result: AttemptResult | undefined,
    failure?: LoopFailure,
  ): Promise<boolean> {
    const { store, logger, hooks } = this.#o;
    let claimed = false;
    const report: AttemptReport = { claim, result, outcome: undefined };
    try {
      const blocked =
        result?.exitReason === 'OK' ? await hooks?.afterSuccess?.(claim, result) : undefined;
      const recorded = await this.#reports.submit(
        reportInput(claim, this.workerId, result, blocked, failure),
      );
      report.outcome = recorded.outcome;
      claimed = recorded.claimed;
    } catch (err) {
      if (err instanceof PipelinesLeaseLostError) {
        logger.warn({ attemptId: claim.attemptId }, 'outcome not recorded: the lease was lost');
      } else {
        logger.error({ err, attemptId: claim.attemptId }, 'recording the outcome failed');
      }
    }
    this.#safely(() => hooks?.attemptFinished?.(report));
    const runState = report.outcome?.runState;
    if (
      hooks?.runFinished &&
      runState !== undefined &&
      ['succeeded', 'failed', 'canceled'].includes(runState)
    ) {
      const info = await store.runInfo(claim.runId).catch(() => undefined);
      if (info)
        this.#safely(() =>
          hooks.runFinished?.({
            runId: claim.runId,
            kind: info.kind,
            job: info.job,
            state: runState,
          }),
        );
    }
    return claimed;
  }
}

function logInput(line: AttemptLogLine): RunLogInput {
  return { line: line.message, stream: line.stream, level: line.level, ts: line.timeMs };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
