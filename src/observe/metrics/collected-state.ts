import type { CompactGauge, Labels } from './compact-instruments.js';
import type { MetricFamilies } from './metric-families.js';
import { labelValue, nonNegative, seconds } from './metric-values.js';

/** Usage of one executor pool. */
export interface PoolUsage {
  /** Pool name (as defined by the project or `default`). */
  readonly pool: string;
  /** Slots held by running attempts. */
  readonly slotsInUse: number;
  /** The pool's concurrency limit, when known. */
  readonly slots?: number;
}

/** When an asset last materialized successfully. */
export interface AssetLastSuccess {
  /** Asset name. */
  readonly asset: string;
  /** End of its latest successful materialization, epoch milliseconds. */
  readonly lastSuccessMs: number;
}

/** Totals of one dataset's head version. */
export interface LakeDatasetSize {
  /** Dataset name. */
  readonly dataset: string;
  /** Bytes of its Parquet files. */
  readonly bytes: number;
  /** Number of files. */
  readonly files: number;
  /** Number of rows, when known. */
  readonly rows?: number;
}

/**
 * What a scrape-time collector reports: the platform's current state, read from the metadata
 * store, the executor or the lake when Prometheus scrapes. Every field is optional; a collector
 * returns the ones it knows. A field no collector returned has no series in that scrape (absent,
 * not zero), so a dashboard shows "no data" rather than a false 0.
 */
export interface CollectedState {
  /** Runs queued or running (`marketlake_active_runs`). */
  readonly activeRuns?: number;
  /** Attempts waiting for a worker (`marketlake_queued_attempts`). */
  readonly queuedAttempts?: number;
  /** Attempts running (`marketlake_running_attempts`). */
  readonly runningAttempts?: number;
  /** Slots per pool (`marketlake_pool_slots_in_use`, `marketlake_pool_slots`). */
  readonly pools?: readonly PoolUsage[];
  /** Workers by state, e.g. `{ alive: 3, lost: 1 }` (`marketlake_workers{state}`). */
  readonly workers?: Readonly<Record<string, number>>;
  /** Age of the oldest latest heartbeat among live workers (`marketlake_worker_heartbeat_age_seconds`). */
  readonly oldestHeartbeatAgeSeconds?: number;
  /** Freshness per asset (`marketlake_asset_last_success_timestamp_seconds`). */
  readonly assetLastSuccess?: readonly AssetLastSuccess[];
  /** Size per dataset (`marketlake_lake_dataset_size_bytes`, `_files`, `_rows`). */
  readonly lakeDatasets?: readonly LakeDatasetSize[];
}

/** One gauge sample to set. */
interface Write {
  readonly gauge: CompactGauge;
  readonly labels: Labels;
  readonly value: number;
}

/** The gauges collectors feed; each scrape replaces all their series. */
export function collectedGauges(f: MetricFamilies): readonly CompactGauge[] {
  return [
    f.activeRuns,
    f.queuedAttempts,
    f.runningAttempts,
    f.poolSlotsInUse,
    f.poolSlots,
    f.workers,
    f.workerHeartbeatAge,
    f.assetLastSuccess,
    f.lakeDatasetSize,
    f.lakeDatasetFiles,
    f.lakeDatasetRows,
  ];
}

/**
 * Checks a collector's state and turns it into gauge samples; throws (before anything is set)
 * when a value is bad, so a faulty collector fails as a whole.
 */
export function stateToWrites(f: MetricFamilies, name: string, s: CollectedState): Write[] {
  const at = `metrics collector "${name}"`;
  const out: Write[] = [];
  const put = (gauge: CompactGauge, labels: Labels, value: number) =>
    out.push({ gauge, labels, value });
  if (s.activeRuns !== undefined)
    put(f.activeRuns, {}, nonNegative(at, 'activeRuns', s.activeRuns));
  if (s.queuedAttempts !== undefined)
    put(f.queuedAttempts, {}, nonNegative(at, 'queuedAttempts', s.queuedAttempts));
  if (s.runningAttempts !== undefined)
    put(f.runningAttempts, {}, nonNegative(at, 'runningAttempts', s.runningAttempts));
  for (const p of s.pools ?? []) {
    const labels = { pool: labelValue(at, 'pools[].pool', p.pool) };
    put(f.poolSlotsInUse, labels, nonNegative(at, 'pools[].slotsInUse', p.slotsInUse));
    if (p.slots !== undefined) put(f.poolSlots, labels, nonNegative(at, 'pools[].slots', p.slots));
  }
  for (const [state, count] of Object.entries(s.workers ?? {})) {
    put(
      f.workers,
      { state: labelValue(at, 'workers key', state) },
      nonNegative(at, `workers.${state}`, count),
    );
  }
  if (s.oldestHeartbeatAgeSeconds !== undefined) {
    const age = seconds(at, 'oldestHeartbeatAgeSeconds', s.oldestHeartbeatAgeSeconds);
    put(f.workerHeartbeatAge, {}, age);
  }
  for (const a of s.assetLastSuccess ?? []) {
    const ms = nonNegative(at, 'assetLastSuccess[].lastSuccessMs', a.lastSuccessMs);
    put(
      f.assetLastSuccess,
      { asset: labelValue(at, 'assetLastSuccess[].asset', a.asset) },
      ms / 1000,
    );
  }
  for (const d of s.lakeDatasets ?? []) {
    const labels = { dataset: labelValue(at, 'lakeDatasets[].dataset', d.dataset) };
    put(f.lakeDatasetSize, labels, nonNegative(at, 'lakeDatasets[].bytes', d.bytes));
    put(f.lakeDatasetFiles, labels, nonNegative(at, 'lakeDatasets[].files', d.files));
    if (d.rows !== undefined)
      put(f.lakeDatasetRows, labels, nonNegative(at, 'lakeDatasets[].rows', d.rows));
  }
  return out;
}

/**
 * Replaces every collector-fed series with `writes`, synchronously, so a scrape never serializes
 * a half-applied state. A gauge no write names is left with no series (absent, not 0).
 */
export function applyWrites(gauges: readonly CompactGauge[], writes: readonly Write[]): void {
  const byGauge = new Map<CompactGauge, [Labels, number][]>(gauges.map((g) => [g, []]));
  for (const w of writes) byGauge.get(w.gauge)?.push([w.labels, w.value]);
  for (const [gauge, entries] of byGauge) gauge.replaceAll(entries);
}
