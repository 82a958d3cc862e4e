/** Options every marketlake error accepts. */
export interface ErrorOptions {
  /** The underlying error, kept for logs and `--verbose` output. */
  cause?: unknown;
  /** Machine-readable details (offending keys, file and line, ...), served as JSON by the API. */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error marketlake raises on purpose.
 *
 * `code` is stable (documented in docs/errors.md, mapped to HTTP statuses in one place) and the
 * message says what went wrong and how to fix it.
 */
export abstract class MarketlakeError extends Error {
  /** Stable identifier such as `LAKE_PARTITION_NOT_FOUND`. */
  abstract readonly code: string;
  /** Whether retrying the same operation may succeed (pipelines use it for retry decisions). */
  readonly retryable: boolean = false;
  /** Machine-readable details. */
  readonly details: Record<string, unknown>;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? {};
  }

  /** A JSON-safe view for API responses and `--json` output. */
  toJSON(): { code: string; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Raised when the configuration file, an environment variable or a flag holds a bad value. */
export class ConfigInvalidError extends MarketlakeError {
  readonly code = 'CONFIG_INVALID';
}

/** Raised when `marketlake.config.ts` exists but cannot be loaded (syntax or import error). */
export class ConfigLoadError extends MarketlakeError {
  readonly code = 'CONFIG_LOAD_FAILED';
}

/** Raised when a user-supplied argument is wrong (CLI usage, API body). */
export class UsageError extends MarketlakeError {
  readonly code = 'USAGE';
}

/** True when `err` is a marketlake error carrying `code`. */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof MarketlakeError && err.code === code;
}

/** Best-effort message of anything thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
