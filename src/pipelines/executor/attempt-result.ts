/**
 * What the executor reports for an attempt: how it ended, the error, the resources it used as
 * measured from /proc, and the log lines it wrote on the way.
 */
import type { MarketlakeError } from '../../core/index.js';
import type {
  AttemptHttpRequests,
  LogLevel,
  LogStream,
  SerializedError,
} from './worker-protocol.js';

/**
 * How an attempt ended: `OK`; `ERROR` (the task threw or the command exited non-zero);
 * `TIMEOUT` (ran past `timeoutMs`, killed); `OOM` (over its memory limit, or out of JavaScript
 * heap); `KILLED` (canceled); `CRASHED` (the worker died without reporting: process.exit, a fatal
 * signal, an uncaught exception outside the task's promise).
 */
export type ExitReason = 'OK' | 'ERROR' | 'TIMEOUT' | 'OOM' | 'KILLED' | 'CRASHED';

/** Resources an attempt used, measured from the operating system. */
export interface AttemptUsage {
  /** From the worker receiving the attempt to the result. */
  readonly wallSeconds: number;
  /** From `enqueuedAt` to the start on a worker. */
  readonly queueSeconds: number;
  /** User CPU of the worker and its descendants during the attempt (/proc/<pid>/stat). */
  readonly cpuUserSeconds: number;
  /** System CPU of the worker and its descendants during the attempt. */
  readonly cpuSystemSeconds: number;
  /**
   * Peak resident memory: for `run` tasks the worker's VmHWM, reset before the attempt (and the
   * sampled RSS of worker plus children, when larger); for commands the peak of the command tree's
   * summed RSS sampled every `sampleIntervalMs`, or the largest single VmHWM in it when larger.
   */
  readonly peakRssBytes: number;
  /** Bytes read from storage (/proc/<pid>/io `read_bytes`; page-cache hits are not counted). */
  readonly bytesRead: number;
  /** Bytes written to storage (`write_bytes`, counted when pages are dirtied). */
  readonly bytesWritten: number;
  /** Bytes through read syscalls of any kind, pipes included (`rchar`). */
  readonly readChars: number;
  /** Bytes through write syscalls of any kind, pipes and the worker's IPC included (`wchar`). */
  readonly writeChars: number;
  /** Rows the task reported with `ctx.reportRows`. */
  readonly rowsWritten: number;
}

/** An attempt's failure. */
export interface AttemptError {
  /** Stable code: the thrown error's, or PIPELINES_ATTEMPT_TIMEOUT/_OOM/_CRASHED/_KILLED. */
  readonly code: string | undefined;
  /** Error class name. */
  readonly name: string;
  /** Message. */
  readonly message: string;
  /** Stack trace (also written to the attempt log). */
  readonly stack: string | undefined;
  /** Whether another attempt may succeed; false for NonRetryableError and cancels. */
  readonly retryable: boolean;
}

/** The outcome of one attempt. */
export interface AttemptResult {
  /** Attempt id. */
  readonly attemptId: string;
  /** Run id. */
  readonly runId: string;
  /** Asset name. */
  readonly asset: string;
  /** Partition key, when partitioned. */
  readonly partition: string | undefined;
  /** Attempt number. */
  readonly attempt: number;
  /** How it ended. */
  readonly exitReason: ExitReason;
  /** The failure, unless `exitReason` is OK. */
  readonly error: AttemptError | undefined;
  /** Exit status of a command task. */
  readonly exitCode: number | undefined;
  /** When the attempt was queued. */
  readonly enqueuedAt: Date;
  /** When a worker received it; undefined when it never started (canceled while queued). */
  readonly startedAt: Date | undefined;
  /** When the result was known. */
  readonly finishedAt: Date;
  /** Pid of the worker that ran it. */
  readonly workerPid: number | undefined;
  /** Resources used. */
  readonly usage: AttemptUsage;
  /** Metadata from `ctx.addMetadata`, merged in call order. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /**
   * Outbound HTTP requests a `run(ctx)` task made through connectors or `ctx.fetch` (for its
   * trace); absent when it made none or did not report (killed, crashed).
   */
  readonly http?: AttemptHttpRequests;
}

/** One line of an attempt's log. */
export interface AttemptLogLine {
  /** Attempt id. */
  readonly attemptId: string;
  /** Position in the attempt's log, from 1, in arrival order. */
  readonly seq: number;
  /** When the line was written, in milliseconds since the epoch. */
  readonly timeMs: number;
  /** Level. */
  readonly level: LogLevel;
  /** `log` (ctx.log), `stdout`/`stderr` (output), `system` (the executor's own notes). */
  readonly stream: LogStream;
  /** Text, secrets redacted. */
  readonly message: string;
  /** Structured fields given to ctx.log. */
  readonly fields: Readonly<Record<string, unknown>> | undefined;
}

/** Usage of an attempt that never ran. */
export function emptyUsage(queueSeconds: number): AttemptUsage {
  return {
    wallSeconds: 0,
    queueSeconds,
    cpuUserSeconds: 0,
    cpuSystemSeconds: 0,
    peakRssBytes: 0,
    bytesRead: 0,
    bytesWritten: 0,
    readChars: 0,
    writeChars: 0,
    rowsWritten: 0,
  };
}

/** An attempt error from a worker's serialized error. */
export function attemptErrorOf(error: SerializedError): AttemptError {
  return {
    code: error.code,
    name: error.name,
    message: error.message,
    stack: error.stack,
    retryable: error.retryable,
  };
}

/** An attempt error from one of the executor's own errors (timeouts, OOM, crashes, cancels). */
export function attemptErrorFrom(error: MarketlakeError): AttemptError {
  return {
    code: error.code,
    name: error.name,
    message: error.message,
    stack: undefined,
    retryable: error.retryable,
  };
}
