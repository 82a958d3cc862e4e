/**
 * Worker side: what an attempt sends to the pool while it runs (log lines, metadata, rows, the
 * pid of a command), with the attempt's secret values redacted from every line first.
 */
import { isRetryableError } from '../sdk/retry.js';
import type {
  AttemptHttpRequests,
  LogLevel,
  LogStream,
  SerializedError,
  WorkerMessage,
} from './worker-protocol.js';

/** Sends a message to the pool. */
export type SendToPool = (message: WorkerMessage) => void;

const REDACTED = '[redacted]';
// Shorter values would redact ordinary words and digits; such secrets are not secret anyway.
const MIN_SECRET_LENGTH = 4;

/** Replaces secret values in text; built once per attempt. */
export function secretRedactor(
  secrets: Readonly<Record<string, string>>,
): (text: string) => string {
  const values = Object.values(secrets)
    .filter((value) => value.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => values.reduce((out, value) => out.split(value).join(REDACTED), text);
}

/** Anything thrown, as it crosses to the pool; `retryable` follows `isRetryableError`. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      stack: error.stack,
      code: typeof code === 'string' ? code : undefined,
      retryable: isRetryableError(error),
    };
  }
  return {
    name: 'Error',
    message: `A non-error value was thrown: ${String(error)}`,
    stack: undefined,
    code: undefined,
    retryable: isRetryableError(error),
  };
}

/** The attempt's link to the pool. */
export class AttemptChannel {
  private readonly redact: (text: string) => string;
  private rows = 0;

  constructor(
    readonly attemptId: string,
    secrets: Readonly<Record<string, string>>,
    private readonly send: SendToPool,
  ) {
    this.redact = secretRedactor(secrets);
  }

  /** A log line. */
  log(level: LogLevel, stream: LogStream, message: string, fields?: Record<string, unknown>): void {
    let safeFields: Record<string, unknown> | undefined;
    if (fields !== undefined) {
      try {
        safeFields = JSON.parse(this.redact(JSON.stringify(fields))) as Record<string, unknown>;
      } catch {
        safeFields = { fields: '[not serializable]' };
      }
    }
    this.send({
      type: 'log',
      attemptId: this.attemptId,
      level,
      stream,
      message: this.redact(message),
      fields: safeFields,
      timeMs: Date.now(),
    });
  }

  /** Metadata to merge into the result. */
  metadata(metadata: Record<string, unknown>): void {
    let copy: Record<string, unknown>;
    try {
      copy = JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>;
    } catch (error) {
      throw new TypeError(`ctx.addMetadata needs JSON-serializable values: ${String(error)}`);
    }
    this.send({ type: 'metadata', attemptId: this.attemptId, metadata: copy });
  }

  /** Adds to the rows written. */
  addRows(rows: number): void {
    if (!Number.isSafeInteger(rows) || rows < 0)
      throw new RangeError(`ctx.reportRows needs a whole number >= 0, got ${String(rows)}.`);
    this.rows += rows;
    this.send({ type: 'rows', attemptId: this.attemptId, rows: this.rows });
  }

  /** A command's process, so the pool measures and kills its tree. */
  spawned(pid: number): void {
    this.send({ type: 'spawned', attemptId: this.attemptId, pid });
  }

  /** The end of the attempt, with the HTTP requests it made (already redacted) when any. */
  done(
    error: SerializedError | undefined,
    exitCode: number | undefined,
    compiler: boolean,
    http?: AttemptHttpRequests,
  ): void {
    const safe =
      error === undefined
        ? undefined
        : {
            ...error,
            message: this.redact(error.message),
            stack: error.stack === undefined ? undefined : this.redact(error.stack),
          };
    this.send({
      type: 'done',
      attemptId: this.attemptId,
      error: safe,
      exitCode,
      compilerLoaded: compiler,
      ...(http !== undefined ? { http } : {}),
    });
  }
}
