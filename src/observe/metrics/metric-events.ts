/**
 * What the platform reports to the metrics facade as things happen. Names (asset, job, check,
 * schedule, source, pool, route) must come from the project's definitions or fixed sets, never
 * from data: no run ids, partition keys or symbols, which would grow the series without bound.
 */

/** A run reached a final state. */
export interface RunFinishedEvent {
  /** What the run materializes: its job or schedule name, or the asset when it runs one asset. */
  readonly job: string;
  /** Why it ran: manual, schedule, backfill, retry or sensor. */
  readonly kind: string;
  /** Final state: succeeded, failed or canceled. */
  readonly state: string;
}

/** An attempt finished; the figures are the executor's measurements from /proc. */
export interface AttemptFinishedEvent {
  /** Asset name. */
  readonly asset: string;
  /** Final state of the attempt (succeeded, failed, canceled, lost, ...). */
  readonly state: string;
  /** How it ended: OK, ERROR, TIMEOUT, OOM, KILLED, CRASHED. */
  readonly exitReason: string;
  /** Executor pool it ran in; `default` when omitted. */
  readonly pool?: string;
  /** From a worker receiving the attempt to its result. */
  readonly wallSeconds: number;
  /** From being queued to starting on a worker. */
  readonly queueSeconds: number;
  /** User CPU of the worker and its children during the attempt. */
  readonly cpuUserSeconds: number;
  /** System CPU of the worker and its children during the attempt. */
  readonly cpuSystemSeconds: number;
  /** Peak resident memory. */
  readonly peakRssBytes: number;
  /** Rows the task reported writing. */
  readonly rowsWritten: number;
  /** Bytes written to storage. */
  readonly bytesWritten: number;
}

/** An asset check was evaluated. */
export interface CheckResultEvent {
  /** Asset the check belongs to. */
  readonly asset: string;
  /** Check name. */
  readonly check: string;
  /** Severity: warn or error. */
  readonly severity: string;
  /** Whether it passed. */
  readonly passed: boolean;
}

/** A connector request completed, with a response or without one. */
export interface ConnectorRequestEvent {
  /** Source (connector) name. */
  readonly source: string;
  /** HTTP status code, or `error` when no response came (DNS, connection, timeout). */
  readonly status: number | 'error';
  /** Request duration. */
  readonly durationSeconds: number;
}

/** A connector operation failed. */
export interface ConnectorErrorEvent {
  /** Source (connector) name. */
  readonly source: string;
  /** A stable reason: the error's code (e.g. `CONNECTORS_PAYLOAD_INVALID`). */
  readonly reason: string;
}

/** A connector waited for its rate limit. */
export interface ConnectorRateLimitWaitEvent {
  /** Source (connector) name. */
  readonly source: string;
  /** How long it waited. */
  readonly waitSeconds: number;
}

/** A schedule tick was evaluated. */
export interface ScheduleTickEvent {
  /** Schedule name. */
  readonly schedule: string;
  /** Evaluation time minus the tick's due time (0 when on time). */
  readonly lagSeconds: number;
}

/** The HTTP server answered a request. */
export interface HttpRequestEvent {
  /** Request method; anything outside the standard methods is recorded as OTHER. */
  readonly method: string;
  /** Route pattern (`/api/datasets/:name`), never the raw URL; `unmatched` for unknown routes. */
  readonly route: string;
  /** Response status code. */
  readonly status: number;
  /** Time to answer. */
  readonly durationSeconds: number;
}
