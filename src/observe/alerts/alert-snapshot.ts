/**
 * The state of the platform that the alert rules read, gathered by the caller (the pipelines
 * domain reads it from the metadata database, the lake and the project) so the rules are pure
 * functions of it and of a clock the caller pins.
 */

/** The latest failed run of an asset, and its latest success. */
export interface AssetRunState {
  readonly asset: string;
  /** Latest successful materialization (undefined: never). */
  readonly lastSuccessMs: number | undefined;
  /** The latest run in which a task of the asset failed (its retries spent), if any. */
  readonly lastFailure:
    | {
        readonly runId: string;
        /** Schedule or sensor name, when one made the run. */
        readonly job: string | null;
        readonly kind: string;
        /** Error of a failed attempt of the asset in that run. */
        readonly error: string | undefined;
        readonly failedPartitions: number;
        readonly finishedAtMs: number;
      }
    | undefined;
}

/** An asset with a freshness policy, and when it last materialized. */
export interface AssetFreshnessState {
  readonly asset: string;
  /** The policy as the asset declares it, e.g. `1 session of XKRX` or `26h`. */
  readonly policy: string;
  /** Latest successful materialization (undefined: never). */
  readonly lastSuccessMs: number | undefined;
  /** The asset is stale when it last materialized before this instant. */
  readonly staleBeforeMs: number;
}

/** The latest result of one check of an asset. */
export interface CheckState {
  readonly asset: string;
  readonly check: string;
  readonly partition: string;
  readonly severity: 'warn' | 'error';
  readonly passed: boolean;
  readonly failingCount: number;
  readonly runId: string;
  readonly ranAtMs: number;
}

/** A registered worker and its last heartbeat. */
export interface WorkerState {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly heartbeatAtMs: number;
}

/** A schedule and the tick it is due to have evaluated. */
export interface ScheduleState {
  readonly name: string;
  /** Last tick the scheduler evaluated (undefined: never, e.g. a new schedule). */
  readonly lastTickMs: number | undefined;
  /** The latest tick at or before now (undefined: the schedule has not fired yet). */
  readonly dueTickMs: number | undefined;
}

/** An attempt's budget: soft limits from the asset's resources, timeout and tags. */
export interface ResourceBudget {
  readonly memoryBytes?: number;
  readonly cpuSeconds?: number;
  readonly wallSeconds?: number;
  /** CPUs the asset asked for: CPU time beyond cpus x wall time (plus a margin) is over. */
  readonly cpus?: number;
}

/** The latest finished attempt of an asset with a budget, and what it used. */
export interface AttemptUsageState {
  readonly attemptId: string;
  readonly runId: string;
  readonly asset: string;
  readonly partition: string | null;
  /** OK, ERROR, OOM, TIMEOUT, ... */
  readonly exitReason: string | null;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly finishedAtMs: number;
  readonly budget: ResourceBudget;
}

/** Quarantined rows of a dataset within the rule's window. */
export interface QuarantineState {
  readonly dataset: string;
  readonly rows: number;
}

/** Everything the rules read, at `nowMs`. */
export interface AlertSnapshot {
  readonly nowMs: number;
  readonly assetRuns: readonly AssetRunState[];
  readonly freshness: readonly AssetFreshnessState[];
  readonly checks: readonly CheckState[];
  readonly workers: readonly WorkerState[];
  readonly schedules: readonly ScheduleState[];
  readonly attempts: readonly AttemptUsageState[];
  readonly quarantine: readonly QuarantineState[];
}

/** A snapshot with nothing in it (tests and processes without pipelines start from it). */
export function emptySnapshot(nowMs: number): AlertSnapshot {
  return {
    nowMs,
    assetRuns: [],
    freshness: [],
    checks: [],
    workers: [],
    schedules: [],
    attempts: [],
    quarantine: [],
  };
}
