/**
 * The executor: a warm pool of attempt worker processes. Attempts queue by priority, run one per
 * worker, and are measured from /proc; a worker is reused after a clean attempt (garbage collected
 * and its VmHWM reset first) and replaced after a crash, OOM, timeout or cancel, so nothing an
 * attempt does can take the platform down.
 */
import { availableParallelism } from 'node:os';
import { PipelinesAttemptInvalidError, PipelinesExecutorClosedError } from '../errors.js';
import { prepareAttempt, type AttemptRequest, type PreparedAttempt } from './attempt-request.js';
import type { AttemptLogLine, AttemptResult } from './attempt-result.js';
import { AttemptSupervisor, type AttemptOutcome } from './attempt-supervisor.js';
import { AttemptQueue } from './attempt-queue.js';
import { precompile } from './compile-cache.js';
import type { LakeFactoryRef } from './lake-factory.js';
import { procAvailable, resetPeakRss, scanProcessParents } from './proc-stats.js';
import { WorkerProcess } from './worker-process.js';
import type { WorkerConfig } from './worker-protocol.js';

/** Options of `ExecutorPool.start`. */
export interface ExecutorPoolOptions {
  /** Attempts running at once, one worker process each (default: the number of CPUs). */
  slots?: number;
  /** Workers started ahead of demand and kept ready (default: `slots`). */
  warmWorkers?: number;
  /** How often each running attempt's process tree is sampled (default 50 ms). */
  sampleIntervalMs?: number;
  /** How long `close()` waits for running attempts before killing them (default 10 s). */
  closeGraceMs?: number;
  /** How long a worker may take to start (default 60 s). */
  workerStartTimeoutMs?: number;
  /**
   * Attempts a worker runs before it is replaced (default 5,000). Starting a worker costs
   * about a second of CPU (loading Node.js, the SDK and the pipeline files), so replacing it
   * often would cost more than short attempts themselves; leaks are bounded by `maxIdleRssBytes`.
   */
  maxAttemptsPerWorker?: number;
  /**
   * A worker whose resident set is still above this once it has collected an attempt's garbage
   * is replaced, so memory that user code keeps (a module-level cache, a leak) never inflates
   * later attempts' peaks or grows without bound (default 512 MiB).
   */
  maxIdleRssBytes?: number;
  /**
   * Reuse workers between attempts (default: true when /proc/<pid>/clear_refs can reset the peak
   * RSS; without it every attempt gets a fresh worker so its peak is its own).
   */
  reuseWorkers?: boolean;
  /** Module and export that build `ctx.lake` in the worker (see LakeFactory). */
  lakeFactory?: LakeFactoryRef;
  /** Receives every log line of every attempt. */
  onLog?: (line: AttemptLogLine) => void;
}

/** A submitted attempt. */
export interface AttemptHandle {
  /** Attempt id. */
  readonly attemptId: string;
  /** Settles with the result; never rejects. */
  readonly result: Promise<AttemptResult>;
  /** Kills the attempt (or drops it from the queue); the result says KILLED. */
  cancel(): void;
}

/** What the pool is doing. */
export interface ExecutorStats {
  /** Configured slots. */
  readonly slots: number;
  /** Live worker processes. */
  readonly workers: number;
  /** Workers waiting for an attempt. */
  readonly idle: number;
  /** Attempts running. */
  readonly running: number;
  /** Attempts waiting for a worker. */
  readonly queued: number;
}

// Consecutive worker start failures after which queued attempts fail instead of waiting.
const MAX_START_FAILURES = 3;
const SHUTDOWN_WAIT_MS = 2_000;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new PipelinesAttemptInvalidError(
      `ExecutorPool option ${name} is ${String(value)}; use a whole number above 0.`,
    );
  return value;
}

/** A warm pool of attempt workers. */
export class ExecutorPool {
  /** Attempts running at once. */
  readonly slots: number;
  /** Whether workers are reused, their peak RSS reset between attempts (else each is fresh). */
  get reusesWorkers(): boolean {
    return this.reuse;
  }
  /** Whether /proc is there to measure with (Linux); figures are zero otherwise. */
  readonly measured = procAvailable();
  private readonly workers = new Set<WorkerProcess>();
  private readonly running = new Map<string, AttemptSupervisor>();
  private readonly queue = new AttemptQueue();
  private readonly config: WorkerConfig;
  private readonly options: Required<
    Omit<ExecutorPoolOptions, 'lakeFactory' | 'onLog' | 'reuseWorkers' | 'slots'>
  >;
  private readonly onLog: ((line: AttemptLogLine) => void) | undefined;
  private reuse: boolean;
  private ticker: NodeJS.Timeout | undefined;
  private startFailures = 0;
  private lastStartError: unknown;
  private closing: Promise<void> | undefined;

  private constructor(slots: number, options: ExecutorPoolOptions) {
    this.slots = slots;
    this.reuse = options.reuseWorkers ?? false;
    this.onLog = options.onLog;
    this.options = {
      warmWorkers: Math.min(slots, positive('warmWorkers', options.warmWorkers, slots)),
      sampleIntervalMs: positive('sampleIntervalMs', options.sampleIntervalMs, 50),
      closeGraceMs: positive('closeGraceMs', options.closeGraceMs, 10_000),
      workerStartTimeoutMs: positive('workerStartTimeoutMs', options.workerStartTimeoutMs, 60_000),
      maxAttemptsPerWorker: positive('maxAttemptsPerWorker', options.maxAttemptsPerWorker, 5000),
      maxIdleRssBytes: positive('maxIdleRssBytes', options.maxIdleRssBytes, 512 * 1024 * 1024),
    };
    const factory = options.lakeFactory;
    this.config = {
      lakeFactory:
        factory === undefined
          ? undefined
          : { module: factory.module, export: factory.export ?? 'createLake' },
    };
  }

  /** Starts the pool and waits until its warm workers are ready. */
  static async start(options: ExecutorPoolOptions = {}): Promise<ExecutorPool> {
    const slots = positive('slots', options.slots, availableParallelism());
    const pool = new ExecutorPool(slots, options);
    const warm = Array.from({ length: pool.options.warmWorkers }, () => pool.spawn(undefined));
    try {
      await Promise.all(warm.map((worker) => worker.ready));
    } catch (error) {
      await pool.close({ graceMs: 1 });
      throw error;
    }
    // Reuse needs VmHWM reset between attempts: probe clear_refs on a real worker.
    const probe = warm[0];
    if (options.reuseWorkers === undefined && probe !== undefined)
      pool.reuse = pool.measured && resetPeakRss(probe.pid);
    return pool;
  }

  /** Queues an attempt; throws PipelinesAttemptInvalidError for a bad request. */
  execute(request: AttemptRequest): AttemptHandle {
    if (this.closing !== undefined)
      throw new PipelinesExecutorClosedError('The executor pool is closed; start a new one.');
    const prepared = prepareAttempt(request);
    if (this.running.has(prepared.attemptId) || this.queue.has(prepared.attemptId))
      throw new PipelinesAttemptInvalidError(
        `Attempt request: attemptId ${prepared.attemptId} is already queued or running.`,
      );
    const { task } = prepared.worker;
    if (task.kind === 'run' && task.file !== undefined) precompile(task.file);
    const result = this.queue.push(prepared);
    this.pump();
    return {
      attemptId: prepared.attemptId,
      result,
      cancel: () => void this.cancel(prepared.attemptId),
    };
  }

  /** Cancels an attempt by id; false when it is unknown or already finished. */
  cancel(attemptId: string, message?: string): boolean {
    if (this.queue.cancel(attemptId, message)) return true;
    const supervisor = this.running.get(attemptId);
    supervisor?.cancel(message);
    return supervisor !== undefined;
  }

  /** Counts of workers and attempts. */
  stats(): ExecutorStats {
    const workers = [...this.workers];
    return {
      slots: this.slots,
      workers: workers.length,
      idle: workers.filter((w) => w.state === 'idle').length,
      running: this.running.size,
      queued: this.queue.size,
    };
  }

  /**
   * Resolves when no attempt runs or waits and the warm workers are ready (after crashes and
   * kills, replacements take a moment to start). Polls; meant for tests, benchmarks and drains.
   */
  async whenIdle(pollMs = 25): Promise<void> {
    for (;;) {
      const { idle, running, queued } = this.stats();
      if (this.closing !== undefined) return;
      if (running === 0 && queued === 0 && idle >= this.options.warmWorkers) return;
      if (this.startFailures >= MAX_START_FAILURES) throw this.lastStartError;
      this.keepWarm();
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /**
   * Stops accepting attempts, drops queued ones (KILLED), waits up to `graceMs` for running ones,
   * kills what is left, then stops every worker.
   */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.closing ??= this.shutDown(options.graceMs ?? this.options.closeGraceMs);
    return this.closing;
  }

  private async shutDown(graceMs: number): Promise<void> {
    this.queue.cancelAll('The executor closed before the attempt started.');
    const outcomes = (): Promise<unknown> =>
      Promise.all([...this.running.values()].map((s) => s.outcome));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([outcomes(), graceOver]);
    clearTimeout(timer);
    for (const supervisor of this.running.values())
      supervisor.cancel('The executor closed before the attempt finished.');
    await outcomes();
    this.stopTicker();
    await Promise.all([...this.workers].map((worker) => this.stopWorker(worker)));
  }

  private async stopWorker(worker: WorkerProcess): Promise<void> {
    worker.state = 'retired';
    if (!worker.send({ type: 'shutdown' })) worker.kill();
    const timer = setTimeout(() => worker.kill(), SHUTDOWN_WAIT_MS);
    await worker.exited;
    clearTimeout(timer);
  }

  private spawn(heapLimitMb: number | undefined): WorkerProcess {
    const worker = new WorkerProcess(heapLimitMb, this.config, this.options.workerStartTimeoutMs);
    this.workers.add(worker);
    this.listenIdle(worker);
    worker.ready.then(
      () => {
        this.startFailures = 0;
        this.pump();
      },
      (error: unknown) => {
        this.workers.delete(worker);
        if (this.closing !== undefined) return;
        this.startFailures += 1;
        this.lastStartError = error;
        if (this.startFailures >= MAX_START_FAILURES) this.queue.failAll(error);
        else this.pump();
      },
    );
    void worker.exited.then((exit) => {
      this.workers.delete(worker);
      for (const supervisor of this.running.values())
        if (supervisor.worker === worker) supervisor.workerExited(exit);
      if (this.closing === undefined) {
        this.keepWarm();
        this.pump();
      }
    });
    return worker;
  }

  /** Between attempts the pool listens: a worker says `idle` after each attempt; output is dropped. */
  private listenIdle(worker: WorkerProcess): void {
    worker.listener = {
      message: (message) => {
        if (message.type !== 'idle' || worker.state !== 'recycling') return;
        this.becomeIdle(worker);
      },
      output: () => undefined,
    };
  }

  /** A worker that collected its last attempt's garbage runs the next, unless it kept too much. */
  private becomeIdle(worker: WorkerProcess): void {
    if ((worker.idleRssBytes ?? 0) > this.options.maxIdleRssBytes) {
      this.retire(worker);
      this.keepWarm();
    } else worker.state = 'idle';
    this.pump();
  }

  private retire(worker: WorkerProcess): void {
    worker.state = 'retired';
    this.workers.delete(worker);
    if (!worker.send({ type: 'shutdown' })) worker.kill();
    setTimeout(() => worker.kill(), SHUTDOWN_WAIT_MS).unref();
  }

  private keepWarm(): void {
    if (this.closing !== undefined || this.startFailures >= MAX_START_FAILURES) return;
    const live = [...this.workers].filter((w) => w.state !== 'retired').length;
    for (let n = live; n < this.options.warmWorkers; n++) this.spawn(undefined);
  }

  /** Starts queued attempts on fitting workers, spawning or replacing workers as needed. */
  private pump(): void {
    if (this.closing !== undefined) return;
    for (let next = this.queue.peek(); next !== undefined; next = this.queue.peek()) {
      // A standby worker (see `run`) can make the workers outnumber the slots for a while.
      if (this.running.size >= this.slots) return;
      const worker = this.workerFor(next.prepared);
      if (worker === undefined) return;
      this.queue.shift();
      this.run(next.prepared, next.settle, worker);
    }
  }

  private workerFor(prepared: PreparedAttempt): WorkerProcess | undefined {
    const wanted = prepared.heapLimitMb;
    // A command's memory is its own processes', so any worker runs it.
    const fits = (w: WorkerProcess): boolean =>
      prepared.worker.task.kind === 'command' || w.heapLimitMb === wanted;
    const workers = [...this.workers];
    const idle = workers.filter((w) => w.state === 'idle');
    const match = idle.find((w) => w.heapLimitMb === wanted) ?? idle.find(fits);
    if (match !== undefined) return match;
    if (workers.some((w) => w.state === 'starting' && fits(w))) return undefined;
    if (workers.length >= this.slots) {
      const spare = idle[0];
      if (spare === undefined) return undefined; // every slot is busy
      this.retire(spare); // idle, but started with another heap limit
    }
    this.spawn(wanted);
    return undefined;
  }

  private run(
    prepared: PreparedAttempt,
    settle: (result: AttemptResult) => void,
    worker: WorkerProcess,
  ): void {
    worker.state = 'busy';
    worker.attempts += 1;
    worker.idleRssBytes = undefined;
    // The worker's last attempt before it is replaced: start its successor now, so the slot
    // does not sit idle for a process start (a few hundred ms) after this attempt.
    if (this.reuse && worker.attempts === this.options.maxAttemptsPerWorker)
      this.spawn(worker.heapLimitMb);
    const supervisor = new AttemptSupervisor(prepared, worker, {
      resetPeak: this.reuse,
      onLog: this.onLog,
    });
    this.running.set(prepared.attemptId, supervisor);
    void supervisor.outcome.then((outcome) => this.afterAttempt(worker, outcome, settle));
    supervisor.start();
    this.startTicker();
  }

  private afterAttempt(
    worker: WorkerProcess,
    outcome: AttemptOutcome,
    settle: (result: AttemptResult) => void,
  ): void {
    this.running.delete(outcome.result.attemptId);
    if (this.running.size === 0) this.stopTicker();
    this.listenIdle(worker);
    const reuse =
      outcome.workerReusable &&
      this.reuse &&
      this.closing === undefined &&
      worker.attempts < this.options.maxAttemptsPerWorker;
    if (reuse) worker.state = 'recycling';
    else if (worker.state !== 'retired' && worker.alive) this.retire(worker);
    settle(outcome.result);
    if (reuse && worker.idleRssBytes !== undefined) this.becomeIdle(worker); // said so already
    this.keepWarm();
    this.pump();
  }

  private startTicker(): void {
    this.ticker ??= setInterval(() => this.tick(), this.options.sampleIntervalMs);
  }

  private stopTicker(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Samples every running attempt; one /proc scan serves all that want one. */
  private tick(): void {
    const now = Date.now();
    const supervisors = [...this.running.values()];
    const scanning = supervisors.filter((s) => s.wantsScan(now));
    const parents = scanning.length > 0 ? scanProcessParents() : undefined;
    for (const supervisor of supervisors)
      supervisor.tick(scanning.includes(supervisor) ? parents : undefined);
  }
}
