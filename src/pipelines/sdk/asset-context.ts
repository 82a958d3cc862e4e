/**
 * What an asset's `run(ctx)` and a check's `run(ctx)` receive. These are types only: the executor
 * builds the object inside the attempt's child process.
 */
import type { Lake } from '../../lake/index.js';

/** Log lines written through the context go to the attempt's log. */
export interface TaskLogger {
  /** Detail useful when debugging. */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Normal progress. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Something odd that did not fail the task. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** A failure the task reports before throwing or recovering. */
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Options of `ctx.fetch` on top of the standard `RequestInit`. */
export interface FetchRetryOptions extends RequestInit {
  /** Attempts in total (default 3); 5xx, 429 and network errors are retried. */
  attempts?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
}

/** The context of one attempt of an asset. */
export interface AssetContext {
  /** Name of the asset being materialized. */
  readonly asset: string;
  /** Partition key of this attempt, or undefined for an unpartitioned asset. */
  readonly partition: string | undefined;
  /** For multi-dimensional partitions, the key's parts by dimension name. */
  readonly partitionParts: Readonly<Record<string, string>> | undefined;
  /** Absolute path of the file an `inbox()` sensor handed to this run, else undefined. */
  readonly file: string | undefined;
  /**
   * In an asset check: the metadata the checked attempt reported with `addMetadata` (e.g. the
   * date range it wrote), so a check can look at exactly that. Undefined in `run`.
   */
  readonly reported?: Readonly<Record<string, unknown>>;
  /** Id of the run this attempt belongs to. */
  readonly runId: string;
  /** Attempt number, 1 for the first. */
  readonly attempt: number;
  /** Aborted when the attempt is canceled or times out; pass it to fetch and long loops. */
  readonly signal: AbortSignal;
  /** Logger whose lines go to the attempt's log. */
  readonly log: TaskLogger;
  /** The lake: read upstream datasets, write this asset's dataset. */
  readonly lake: Lake;
  /** A secret by name (from the config's `secrets` or MARKETLAKE_SECRET_*); throws when unset. */
  secret(name: string): string;
  /** `fetch` with retries on transient failures and the attempt's abort signal. */
  fetch(url: string | URL, init?: FetchRetryOptions): Promise<Response>;
  /** Attaches metadata shown with the materialization (JSON-serializable values). */
  addMetadata(metadata: Record<string, unknown>): void;
  /** Reports rows written when the task writes outside `ctx.lake` (counted otherwise). */
  reportRows(rows: number): void;
}

/** Result of a check's `run`: pass/fail, with optional failing keys and metadata. */
export interface CheckResult {
  /** Whether the check passed. */
  readonly passed: boolean;
  /** Short explanation shown with the result. */
  readonly message?: string;
  /** Keys of failing rows (e.g. 'AAPL 2024-01-02'), stored for inspection. */
  readonly failingKeys?: readonly string[];
  /** Extra values shown with the result. */
  readonly metadata?: Record<string, unknown>;
}
