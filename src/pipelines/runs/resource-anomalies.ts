/**
 * Resource anomalies: attempts that used more than k times the median of the asset's preceding
 * successful attempts (CPU, peak memory or wall time). Each asset's most recent attempts are
 * read with a window function, so the work is bounded by `recent + window` rows per asset.
 */
import { sql, type Kysely } from 'kysely';
import { UsageError } from '../../core/index.js';
import type { MetaDatabase } from '../../meta/index.js';
import { MEASURED_STATES, num, quantile } from './resource-history.js';
import { isoTime } from './run-ids.js';

/** What an anomaly is about. */
export type AnomalyMetric = 'cpu' | 'memory' | 'wall';

/** Smallest values worth flagging: a 30 ms task taking 120 ms is noise, not a finding. */
export interface AnomalyFloors {
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly peakRssBytes: number;
}

/** Default floors: 1 CPU second, 1 wall second, 64 MiB. */
export const DEFAULT_ANOMALY_FLOORS: AnomalyFloors = {
  cpuSeconds: 1,
  wallSeconds: 1,
  peakRssBytes: 64 * 1024 * 1024,
};

/** Options of `resourceAnomalies`. */
export interface ResourceAnomalyOptions {
  /** Flag attempts over k times the median (default 3). */
  k?: number;
  /** Preceding successful attempts that make the median (default 20). */
  window?: number;
  /** Most recent attempts of each asset that are checked (default 20). */
  recent?: number;
  /** Fewest preceding successful attempts for a median (default 5). */
  minSamples?: number;
  /** Only check attempts finished at or after this instant (epoch ms). */
  sinceMs?: number;
  /** Only this asset. */
  asset?: string;
  /** Values under these are never flagged. */
  floors?: Partial<AnomalyFloors>;
  /** Most anomalies returned, newest first (default 100, at most 1,000). */
  limit?: number;
}

/** An attempt that used more than k times its asset's recent median. */
export interface ResourceAnomaly {
  readonly attemptId: string;
  readonly runId: string;
  readonly asset: string;
  readonly partition: string | null;
  readonly attempt: number;
  readonly state: string;
  readonly finishedAt: string;
  readonly metric: AnomalyMetric;
  /** CPU seconds, bytes or wall seconds. */
  readonly value: number;
  readonly median: number;
  /** value / median. */
  readonly ratio: number;
  /** Attempts the median was taken over. */
  readonly samples: number;
}

function positive(value: number | undefined, fallback: number, what: string, min: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min)
    throw new UsageError(`${what} must be a number >= ${min}, got ${String(value)}.`);
  return v;
}

interface Measured {
  id: string;
  runId: string;
  asset: string;
  partition: string | null;
  attempt: number;
  state: string;
  finishedAt: string;
  values: Record<AnomalyMetric, number | null>;
}

/** Attempts over k times their asset's recent median CPU, peak memory or wall time, newest first. */
export async function resourceAnomalies(
  db: Kysely<MetaDatabase>,
  options: ResourceAnomalyOptions = {},
): Promise<ResourceAnomaly[]> {
  const k = positive(options.k, 3, 'k', 1);
  const window = Math.trunc(positive(options.window, 20, 'window', 1));
  const recent = Math.trunc(positive(options.recent, 20, 'recent', 1));
  const minSamples = Math.trunc(positive(options.minSamples, 5, 'minSamples', 1));
  const limit = Math.min(Math.trunc(positive(options.limit, 100, 'limit', 1)), 1000);
  const floors = { ...DEFAULT_ANOMALY_FLOORS, ...options.floors };
  const floorOf: Record<AnomalyMetric, number> = {
    cpu: floors.cpuSeconds,
    memory: floors.peakRssBytes,
    wall: floors.wallSeconds,
  };
  const ranked = db
    .selectFrom('attempts')
    .where('started_at', 'is not', null)
    .where('finished_at', 'is not', null)
    .where('state', 'in', MEASURED_STATES)
    .$if(options.asset !== undefined, (qb) => qb.where('asset', '=', options.asset as string))
    .select([
      'id',
      'run_id',
      'asset',
      'partition_key',
      'attempt',
      'state',
      'finished_at',
      'wall_seconds',
      'cpu_user_seconds',
      'cpu_system_seconds',
      'peak_rss_bytes',
      sql<number>`row_number() over (partition by asset order by finished_at desc, id desc)`.as(
        'rn',
      ),
    ]);
  const rows = await db
    .selectFrom(ranked.as('r'))
    .selectAll()
    .where('rn', '<=', recent + window)
    .execute();
  const byAsset = new Map<string, Measured[]>();
  for (const r of rows) {
    const list = byAsset.get(r.asset) ?? [];
    byAsset.set(r.asset, list);
    const cpu =
      r.cpu_user_seconds === null && r.cpu_system_seconds === null
        ? null
        : num(r.cpu_user_seconds) + num(r.cpu_system_seconds);
    list.push({
      id: r.id,
      runId: r.run_id,
      asset: r.asset,
      partition: r.partition_key,
      attempt: num(r.attempt),
      state: r.state,
      finishedAt: String(r.finished_at),
      values: {
        cpu,
        memory: r.peak_rss_bytes === null ? null : num(r.peak_rss_bytes),
        wall: r.wall_seconds === null ? null : num(r.wall_seconds),
      },
    });
  }
  const since = options.sinceMs === undefined ? undefined : isoTime(options.sinceMs);
  const found: ResourceAnomaly[] = [];
  for (const list of byAsset.values()) {
    // Oldest first, so each attempt's baseline is the attempts before it.
    list.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt) || a.id.localeCompare(b.id));
    for (let i = Math.max(0, list.length - recent); i < list.length; i++) {
      const a = list[i] as Measured;
      if (since !== undefined && a.finishedAt < since) continue;
      const before = list.slice(Math.max(0, i - window), i).filter((b) => b.state === 'succeeded');
      for (const metric of ['cpu', 'memory', 'wall'] as const) {
        const value = a.values[metric];
        if (value === null || value < floorOf[metric]) continue;
        const base = before.map((b) => b.values[metric]).filter((v): v is number => v !== null);
        if (base.length < minSamples) continue;
        const median = quantile(base, 0.5);
        if (median <= 0 || value <= k * median) continue;
        found.push({
          attemptId: a.id,
          runId: a.runId,
          asset: a.asset,
          partition: a.partition,
          attempt: a.attempt,
          state: a.state,
          finishedAt: a.finishedAt,
          metric,
          value,
          median,
          ratio: value / median,
          samples: base.length,
        });
      }
    }
  }
  found.sort(
    (a, b) => b.finishedAt.localeCompare(a.finishedAt) || a.attemptId.localeCompare(b.attemptId),
  );
  return found.slice(0, limit);
}
