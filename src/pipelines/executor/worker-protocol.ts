/**
 * The IPC messages between the executor pool and an attempt worker (JSON over the fork channel).
 * A task kind is a `kind` in `TaskSpec` and a handler in the worker (attempt-worker.ts), with no
 * change to the pool.
 */
import type { OutboundHttpRequest } from '../../core/index.js';

/** A TypeScript `run(ctx)` task: the worker imports the pipeline file and calls the asset's run. */
export interface RunTaskSpec {
  /** Discriminator. */
  readonly kind: 'run';
  /** Absolute project folder. */
  readonly projectDir: string;
  /** Absolute pipeline file that exports the asset; undefined searches every pipeline file. */
  readonly file: string | undefined;
  /** Changes whenever the project is reloaded, so the worker re-imports cached files. */
  readonly codeVersion: string | undefined;
}

/** A shell command (string) or argv (array), run by the worker as a child in its own group. */
export interface CommandTaskSpec {
  /** Discriminator. */
  readonly kind: 'command';
  /** Command line for `sh -c`, or argv run without a shell. */
  readonly command: string | readonly string[];
  /** Working folder. */
  readonly cwd: string;
  /** Variables added to the worker's environment (MARKETLAKE_* included). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * A DuckDB query whose result the worker writes to the asset's dataset through the lake factory's
 * lake; `{{partition}}` in the text becomes the partition key (quotes doubled).
 */
export interface SqlTaskSpec {
  /** Discriminator. */
  readonly kind: 'sql';
  /** The SELECT. */
  readonly sql: string;
  /** Dataset the result is written to. */
  readonly dataset: string;
}

/** What a worker can run. */
export type TaskSpec = RunTaskSpec | CommandTaskSpec | SqlTaskSpec;

/** One attempt as the worker receives it. */
export interface WorkerAttempt {
  /** Attempt id; every message about the attempt carries it. */
  readonly attemptId: string;
  /** Run id. */
  readonly runId: string;
  /** Asset name. */
  readonly asset: string;
  /** Attempt number, 1 for the first. */
  readonly attempt: number;
  /** Partition key, or undefined when unpartitioned. */
  readonly partition: string | undefined;
  /** Parts of a multi-dimensional key by dimension. */
  readonly partitionParts: Readonly<Record<string, string>> | undefined;
  /** The file an inbox sensor handed over, when any. */
  readonly inputFile?: string | undefined;
  /** Root of the lake. */
  readonly lakePath: string | undefined;
  /** Secrets by name; their values are redacted from the attempt's log. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The task. */
  readonly task: TaskSpec;
}

/** How the worker is configured, passed as its first argument (JSON). */
export interface WorkerConfig {
  /** Module whose export builds `ctx.lake` for each attempt; undefined leaves `ctx.lake` unset. */
  readonly lakeFactory: { readonly module: string; readonly export: string } | undefined;
}

/** Messages the pool sends. */
export type PoolMessage =
  { readonly type: 'attempt'; readonly attempt: WorkerAttempt } | { readonly type: 'shutdown' };

/** Log levels of attempt log lines. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where a log line came from. */
export type LogStream = 'log' | 'stdout' | 'stderr' | 'system';

/** An error as it crosses the process boundary. */
export interface SerializedError {
  /** Class name. */
  readonly name: string;
  /** Message. */
  readonly message: string;
  /** Stack trace, when there is one. */
  readonly stack: string | undefined;
  /** Stable code (marketlake errors and Node system errors), when there is one. */
  readonly code: string | undefined;
  /** Whether another attempt may succeed (`isRetryableError`). */
  readonly retryable: boolean;
}

/** The outbound HTTP requests an attempt made (for its trace), bounded per attempt. */
export interface AttemptHttpRequests {
  /** The first requests, in the order they finished, secrets redacted. */
  readonly requests: readonly OutboundHttpRequest[];
  /** Requests made past the bound: counted, not kept. */
  readonly unrecorded: number;
}

/** Messages a worker sends. */
export type WorkerMessage =
  | {
      readonly type: 'ready';
      readonly pid: number;
      /** Whether starting loaded the compiler (a cold cache); the pool then starts it again. */
      readonly compilerLoaded: boolean;
    }
  | {
      readonly type: 'log';
      readonly attemptId: string;
      readonly level: LogLevel;
      readonly stream: LogStream;
      readonly message: string;
      readonly fields: Record<string, unknown> | undefined;
      readonly timeMs: number;
    }
  | { readonly type: 'spawned'; readonly attemptId: string; readonly pid: number }
  | {
      readonly type: 'metadata';
      readonly attemptId: string;
      readonly metadata: Record<string, unknown>;
    }
  | { readonly type: 'rows'; readonly attemptId: string; readonly rows: number }
  | {
      readonly type: 'done';
      readonly attemptId: string;
      readonly error: SerializedError | undefined;
      /** A command's exit status, when the task was a command. */
      readonly exitCode: number | undefined;
      /** Whether the worker has loaded the compiler (it is replaced instead of reused). */
      readonly compilerLoaded: boolean;
      /** HTTP requests the attempt made in the worker's process; absent when none. */
      readonly http?: AttemptHttpRequests;
    }
  /**
   * Sent after every `done`, once the worker has collected the attempt's garbage so the next
   * attempt starts small: the pool may start the next attempt from then on.
   */
  | { readonly type: 'idle'; readonly rssBytes: number };

/** Whether `value` looks like a worker message (the channel carries nothing else, but be safe). */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}
