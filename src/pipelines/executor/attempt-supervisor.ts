/**
 * Pool side of one attempt on one worker: hands the attempt over, samples the worker's process
 * tree from /proc, enforces the time and memory limits, relays log lines, and turns whatever
 * happens (a reported outcome, a kill, the worker dying) into one AttemptResult.
 */
import {
  PipelinesAttemptCrashedError,
  PipelinesAttemptKilledError,
  PipelinesAttemptOomError,
  PipelinesAttemptTimeoutError,
} from '../errors.js';
import type { PreparedAttempt } from './attempt-request.js';
import {
  attemptErrorFrom,
  attemptErrorOf,
  type AttemptError,
  type AttemptLogLine,
  type AttemptResult,
  type ExitReason,
} from './attempt-result.js';
import { killGroup } from './command-task.js';
import { ProcessTreeSampler } from './process-tree-sampler.js';
import { resetPeakRss } from './proc-stats.js';
import type { WorkerExit, WorkerProcess } from './worker-process.js';
import type { AttemptHttpRequests, LogLevel, LogStream, WorkerMessage } from './worker-protocol.js';

/** How an attempt ended, for the pool: the result and whether the worker can run another. */
export interface AttemptOutcome {
  /** The result handed to the caller. */
  readonly result: AttemptResult;
  /** True when the worker reported the outcome itself and is alive. */
  readonly workerReusable: boolean;
}

/** What a supervisor needs from the pool. */
export interface SupervisorEnv {
  /** Whether VmHWM can be reset through clear_refs (else the worker is fresh). */
  readonly resetPeak: boolean;
  /** Receives every log line (the pool's onLog). */
  readonly onLog: ((line: AttemptLogLine) => void) | undefined;
}

// V8's messages when the JavaScript heap hits --max-old-space-size.
const HEAP_OOM =
  /JavaScript heap out of memory|Reached heap limit|Allocation failed - process out of memory/;
const MIB = 1024 * 1024;
// Children are found by scanning /proc: often at first (short-lived helpers), rarely later.
const FIRST_SCAN_MS = 50;
const MAX_SCAN_MS = 2_000;

/** Supervises one attempt; create, `start()`, then feed it messages, ticks and the exit. */
export class AttemptSupervisor {
  /** Settles once with the outcome. */
  readonly outcome: Promise<AttemptOutcome>;
  private resolve!: (outcome: AttemptOutcome) => void;
  private readonly sampler: ProcessTreeSampler;
  private startedAt: Date | undefined;
  private timer: NodeJS.Timeout | undefined;
  private killedFor: { reason: ExitReason; error: AttemptError } | undefined;
  private finished = false;
  private seq = 0;
  private rows = 0;
  private metadata: Record<string, unknown> = {};
  private http: AttemptHttpRequests | undefined;
  private readonly groups = new Set<number>();
  private scanEveryMs = FIRST_SCAN_MS;
  private nextScanAtMs = 0;

  constructor(
    readonly prepared: PreparedAttempt,
    readonly worker: WorkerProcess,
    private readonly env: SupervisorEnv,
  ) {
    this.outcome = new Promise((resolve) => (this.resolve = resolve));
    this.sampler = new ProcessTreeSampler(worker.pid, prepared.worker.task.kind !== 'command');
  }

  /** Attempt id. */
  get attemptId(): string {
    return this.prepared.attemptId;
  }

  /** Resets the worker's peak, reads the baseline and hands the attempt over. */
  start(): void {
    const { worker, prepared } = this;
    this.worker.listener = {
      message: (message) => this.onMessage(message),
      output: (stream, line) => this.log(stream === 'stderr' ? 'warn' : 'info', stream, line),
    };
    if (this.env.resetPeak) resetPeakRss(worker.pid);
    this.sampler.begin();
    this.startedAt = new Date();
    this.nextScanAtMs = Date.now() + this.scanEveryMs;
    worker.send({ type: 'attempt', attempt: prepared.worker });
    if (prepared.timeoutMs !== undefined) {
      const ms = prepared.timeoutMs;
      this.timer = setTimeout(() => {
        const error = new PipelinesAttemptTimeoutError(`The attempt ran longer than ${ms} ms.`);
        this.kill('TIMEOUT', attemptErrorFrom(error));
      }, ms);
    }
    const info = { attemptId: this.attemptId, startedAt: this.startedAt, workerPid: worker.pid };
    // Never from inside execute(): the caller has its handle before it hears of the start.
    queueMicrotask(() => this.call(() => prepared.request.onStart?.(info)));
  }

  /** Whether this attempt wants a /proc scan for new child processes now. */
  wantsScan(nowMs: number): boolean {
    return !this.finished && nowMs >= this.nextScanAtMs;
  }

  /** Samples the tree (after a scan when `parents` is given) and enforces the memory limit. */
  tick(parents?: ReadonlyMap<number, number>): void {
    if (this.finished || this.killedFor !== undefined) return;
    if (parents !== undefined) {
      this.sampler.discover(parents);
      this.scanEveryMs = Math.min(MAX_SCAN_MS, this.scanEveryMs * 2);
      this.nextScanAtMs = Date.now() + this.scanEveryMs;
    }
    const rssBytes = this.sampler.sample();
    const limitMb = this.prepared.memoryMb;
    if (limitMb !== undefined && rssBytes > limitMb * MIB) {
      const used = Math.round(rssBytes / MIB);
      const error = new PipelinesAttemptOomError(
        `The attempt used ${used} MiB, over its memory limit of ${limitMb} MiB (resources.memoryMb).`,
      );
      this.kill('OOM', attemptErrorFrom(error));
    }
  }

  /** Cancels: kills the attempt's processes and reports KILLED. */
  cancel(message = 'The attempt was canceled.'): void {
    this.kill('KILLED', attemptErrorFrom(new PipelinesAttemptKilledError(message)));
  }

  /** The worker died; finishes the attempt unless it already reported. */
  workerExited(exit: WorkerExit): void {
    if (this.finished) return;
    if (this.killedFor !== undefined) {
      this.finish(this.killedFor.reason, this.killedFor.error, undefined, false);
      return;
    }
    const stderr = this.worker.stderr();
    const how =
      exit.signal !== null ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
    const tail = stderr === '' ? '' : `\n${stderr}`;
    if (HEAP_OOM.test(stderr)) {
      const limit = this.prepared.heapLimitMb;
      const error = new PipelinesAttemptOomError(
        `The attempt ran out of JavaScript heap${limit === undefined ? '' : ` (limit ${limit} MiB)`}.${tail}`,
      );
      this.finish('OOM', attemptErrorFrom(error), undefined, false);
      return;
    }
    const error = new PipelinesAttemptCrashedError(
      `The attempt's worker process ${how} before the attempt finished.${tail}`,
      { details: { exitCode: exit.code, signal: exit.signal } },
    );
    this.finish('CRASHED', attemptErrorFrom(error), undefined, false);
  }

  private kill(reason: ExitReason, error: AttemptError): void {
    if (this.finished || this.killedFor !== undefined) return;
    this.killedFor = { reason, error };
    this.sampler.discover(); // children started since the last scan die too
    this.sampler.sample();
    this.killLeftovers();
    this.worker.kill();
  }

  /** Kills the attempt's known child processes and their groups (never the worker). */
  private killLeftovers(): void {
    for (const group of [...this.groups, ...this.sampler.descendantGroups()]) killGroup(group);
    for (const pid of this.sampler.descendants()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private onMessage(message: WorkerMessage): void {
    if ('attemptId' in message && message.attemptId !== this.attemptId) return;
    switch (message.type) {
      case 'log':
        this.log(message.level, message.stream, message.message, message.fields, message.timeMs);
        break;
      case 'spawned':
        this.groups.add(message.pid);
        this.sampler.adopt(message.pid);
        this.nextScanAtMs = Date.now() + FIRST_SCAN_MS;
        this.scanEveryMs = FIRST_SCAN_MS;
        break;
      case 'metadata':
        this.metadata = { ...this.metadata, ...message.metadata };
        break;
      case 'rows':
        this.rows = message.rows;
        break;
      case 'done':
        if (this.killedFor !== undefined || this.finished) return;
        this.sampler.sample();
        this.killLeftovers();
        this.http = message.http;
        // A worker that loaded the compiler keeps it resident: replace it rather than reuse it.
        if (message.error === undefined)
          this.finish('OK', undefined, message.exitCode, !message.compilerLoaded);
        else
          this.finish(
            'ERROR',
            attemptErrorOf(message.error),
            message.exitCode,
            !message.compilerLoaded,
          );
        break;
      default:
        break;
    }
  }

  private finish(
    reason: ExitReason,
    error: AttemptError | undefined,
    exitCode: number | undefined,
    reusable: boolean,
  ): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    if (error !== undefined)
      this.log('error', 'system', error.stack ?? `${error.name}: ${error.message}`);
    const finishedAt = new Date();
    const startedAt = this.startedAt ?? finishedAt;
    const figures = this.sampler.figures();
    const { prepared } = this;
    this.resolve({
      workerReusable: reusable && this.worker.alive,
      result: {
        attemptId: this.attemptId,
        runId: prepared.worker.runId,
        asset: prepared.worker.asset,
        partition: prepared.worker.partition,
        attempt: prepared.worker.attempt,
        exitReason: reason,
        error,
        exitCode,
        enqueuedAt: new Date(prepared.enqueuedAtMs),
        startedAt,
        finishedAt,
        workerPid: this.worker.pid,
        usage: {
          ...figures,
          wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
          queueSeconds: Math.max(0, (startedAt.getTime() - prepared.enqueuedAtMs) / 1000),
          rowsWritten: this.rows,
        },
        metadata: this.metadata,
        ...(this.http !== undefined ? { http: this.http } : {}),
      },
    });
  }

  private log(
    level: LogLevel,
    stream: LogStream,
    message: string,
    fields?: Record<string, unknown>,
    timeMs = Date.now(),
  ): void {
    const line: AttemptLogLine = {
      attemptId: this.attemptId,
      seq: ++this.seq,
      timeMs,
      level,
      stream,
      message,
      fields,
    };
    this.call(() => this.prepared.request.onLog?.(line));
    this.call(() => this.env.onLog?.(line));
  }

  /** Runs a caller's callback; a throwing callback must not break the pool. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch {
      // the caller's bug; the attempt goes on
    }
  }
}
