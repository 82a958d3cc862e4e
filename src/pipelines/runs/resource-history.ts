/**
 * Resource history: what each asset's attempts cost over time, read from the `attempts` table
 * (wall, CPU, peak memory, rows, bytes as measured by the executor). Aggregates run in SQL on
 * both dialects; percentiles and medians are computed here over a bounded sample of each asset's
 * most recent attempts, because SQLite has no percentile function.
 */
import { sql, type Kysely } from 'kysely';
import { UsageError } from '../../core/index.js';
import type { MetaDatabase } from '../../meta/index.js';
import { PipelinesUnknownAssetError } from '../errors.js';
import { isoTime } from './run-ids.js';

/** What `resourceTop` ranks by. */
export const RESOURCE_METRICS = ['cpu', 'memory', 'wall', 'rows', 'bytes'] as const;
/** What `resourceTop` ranks by: CPU seconds, peak memory, wall seconds, rows or bytes written. */
export type ResourceMetric = (typeof RESOURCE_METRICS)[number];

/** Attempts whose percentiles `resourceTop` computes, per asset (the most recent ones). */
export const RESOURCE_SAMPLE_PER_ASSET = 1000;

/** Attempts that ran (and so were measured): finished after a start, in any end state. */
export const MEASURED_STATES = ['succeeded', 'failed', 'canceled', 'lost'] as const;

/** Options of `resourceTop`. */
export interface ResourceTopOptions {
  /** Start of the period (epoch ms, inclusive). */
  sinceMs: number;
  /** End of the period (epoch ms, exclusive; default now). */
  untilMs?: number;
  /** Assets to return (default 20, at most 1,000). */
  limit?: number;
  /** Ranking (default cpu). */
  by?: ResourceMetric;
}

/** Change of the ranking metric against the previous period of the same length. */
export interface ResourceTrendChange {
  readonly metric: ResourceMetric;
  readonly current: number;
  /** The metric over the previous period; null when the asset had no attempt then. */
  readonly previous: number | null;
  /** (current - previous) / previous; null when there is no previous figure or it is 0. */
  readonly change: number | null;
}

/** One asset's resources over a period. */
export interface AssetResourceSummary {
  readonly asset: string;
  readonly attempts: number;
  /** Attempts that ended `failed` or `lost`. */
  readonly failures: number;
  readonly wallSeconds: { readonly total: number; readonly avg: number; readonly p95: number };
  /** User plus system CPU of all attempts. */
  readonly cpuSeconds: number;
  readonly peakRssBytes: { readonly max: number; readonly median: number };
  readonly rows: number;
  /** Bytes written to storage. */
  readonly bytes: number;
  readonly trend: ResourceTrendChange;
}

/** The result of `resourceTop`. */
export interface ResourceTop {
  readonly since: string;
  readonly until: string;
  readonly by: ResourceMetric;
  readonly assets: AssetResourceSummary[];
}

/** Time bucket of `resourceTrend`. */
export type TrendBucket = 'hour' | 'day';

/** Options of `resourceTrend`. */
export interface ResourceTrendOptions {
  sinceMs: number;
  /** Default now. */
  untilMs?: number;
  /** Default day. */
  bucket?: TrendBucket;
}

/** One time bucket of an asset's attempts; figures are null when no attempt finished in it. */
export interface TrendPoint {
  /** Bucket start, ISO-8601 UTC. */
  readonly start: string;
  readonly attempts: number;
  readonly failures: number;
  readonly wallSecondsAvg: number | null;
  readonly wallSecondsMax: number | null;
  readonly cpuSeconds: number | null;
  readonly peakRssMaxBytes: number | null;
  readonly rows: number | null;
  readonly bytes: number | null;
}

/** The result of `resourceTrend`. */
export interface ResourceTrend {
  readonly asset: string;
  readonly bucket: TrendBucket;
  readonly since: string;
  readonly until: string;
  readonly points: TrendPoint[];
}

/** Most buckets one trend returns (a week of hours is 168). */
export const MAX_TREND_BUCKETS = 5000;

const PERIOD = /^(\d+)\s*(m|h|d|w)$/;
const PERIOD_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** A period such as `30m`, `24h`, `7d` or `2w`, in milliseconds. */
export function parsePeriodMs(text: string, what = 'since'): number {
  const match = PERIOD.exec(text.trim());
  const n = match ? Number(match[1]) : NaN;
  if (!match || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(
      `${what} must be a period such as 30m, 24h, 7d or 2w (a whole number and a unit), got "${text}".`,
    );
  }
  return n * (PERIOD_MS[match[2] as string] as number);
}

/** `value` as one of `allowed`, or a usage error naming `what`. */
export function resourceOption<T extends string>(
  value: string,
  what: string,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value as T))
    throw new UsageError(`${what} must be one of ${allowed.join(', ')}, got "${value}".`);
  return value as T;
}

function checkRange(sinceMs: number, untilMs: number): void {
  if (!Number.isFinite(sinceMs) || !Number.isFinite(untilMs) || sinceMs >= untilMs) {
    throw new UsageError(
      `The period is empty or invalid (since ${String(sinceMs)}, until ${String(untilMs)}); since must be before until.`,
    );
  }
}

/** Number from a driver value (PostgreSQL returns bigint and numeric aggregates as strings). */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** Value at quantile `q` (0..1) of `values`, by nearest rank; 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

const METRIC_COLUMN: Record<ResourceMetric, string> = {
  cpu: 'cpu_seconds',
  memory: 'peak_rss_max',
  wall: 'wall_total',
  rows: 'rows_total',
  bytes: 'bytes_total',
};

/** Per-asset aggregates of measured attempts finished in [since, until). */
function aggregates(db: Kysely<MetaDatabase>, sinceMs: number, untilMs: number) {
  return db
    .selectFrom('attempts')
    .where('finished_at', '>=', isoTime(sinceMs))
    .where('finished_at', '<', isoTime(untilMs))
    .where('started_at', 'is not', null)
    .where('state', 'in', MEASURED_STATES)
    .groupBy('asset')
    .select((eb) => [
      'asset',
      eb.fn.countAll().as('attempts'),
      sql<number>`sum(case when state in ('failed', 'lost') then 1 else 0 end)`.as('failures'),
      sql<number>`coalesce(sum(wall_seconds), 0)`.as('wall_total'),
      sql<number>`coalesce(avg(wall_seconds), 0)`.as('wall_avg'),
      sql<number>`coalesce(sum(coalesce(cpu_user_seconds, 0) + coalesce(cpu_system_seconds, 0)), 0)`.as(
        'cpu_seconds',
      ),
      sql<number>`coalesce(max(peak_rss_bytes), 0)`.as('peak_rss_max'),
      sql<number>`coalesce(sum(rows_written), 0)`.as('rows_total'),
      sql<number>`coalesce(sum(bytes_written), 0)`.as('bytes_total'),
    ]);
}

/** The most recent measured attempts of `assets` in the period, at most `perAsset` each. */
async function samples(
  db: Kysely<MetaDatabase>,
  assets: readonly string[],
  sinceMs: number,
  untilMs: number,
  perAsset: number,
): Promise<Map<string, { wall: number[]; rss: number[] }>> {
  const out = new Map<string, { wall: number[]; rss: number[] }>();
  if (assets.length === 0) return out;
  const ranked = db
    .selectFrom('attempts')
    .where('asset', 'in', assets)
    .where('finished_at', '>=', isoTime(sinceMs))
    .where('finished_at', '<', isoTime(untilMs))
    .where('started_at', 'is not', null)
    .where('state', 'in', MEASURED_STATES)
    .select([
      'asset',
      'wall_seconds',
      'peak_rss_bytes',
      sql<number>`row_number() over (partition by asset order by finished_at desc, id desc)`.as(
        'rn',
      ),
    ]);
  const rows = await db
    .selectFrom(ranked.as('r'))
    .selectAll()
    .where('rn', '<=', perAsset)
    .execute();
  for (const row of rows) {
    let s = out.get(row.asset);
    if (s === undefined) out.set(row.asset, (s = { wall: [], rss: [] }));
    if (row.wall_seconds !== null) s.wall.push(num(row.wall_seconds));
    if (row.peak_rss_bytes !== null) s.rss.push(num(row.peak_rss_bytes));
  }
  return out;
}

/** The assets that cost most over a period, with totals, percentiles and the change on the previous period. */
export async function resourceTop(
  db: Kysely<MetaDatabase>,
  options: ResourceTopOptions,
): Promise<ResourceTop> {
  const untilMs = options.untilMs ?? Date.now();
  const { sinceMs } = options;
  checkRange(sinceMs, untilMs);
  const by = resourceOption(options.by ?? 'cpu', 'by', RESOURCE_METRICS);
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 20), 1), 1000);
  const column = METRIC_COLUMN[by];
  const rows = await aggregates(db, sinceMs, untilMs)
    .orderBy(sql.ref(column), 'desc')
    .orderBy('asset')
    .limit(limit)
    .execute();
  const assets = rows.map((r) => r.asset);
  const span = untilMs - sinceMs;
  const [sampled, previousRows] = await Promise.all([
    samples(db, assets, sinceMs, untilMs, RESOURCE_SAMPLE_PER_ASSET),
    assets.length === 0
      ? Promise.resolve([])
      : aggregates(db, sinceMs - span, sinceMs)
          .where('asset', 'in', assets)
          .execute(),
  ]);
  const previous = new Map(
    previousRows.map((r) => [r.asset, num((r as Record<string, unknown>)[column])]),
  );
  return {
    since: isoTime(sinceMs),
    until: isoTime(untilMs),
    by,
    assets: rows.map((r): AssetResourceSummary => {
      const s = sampled.get(r.asset) ?? { wall: [], rss: [] };
      const current = num((r as Record<string, unknown>)[column]);
      const before = previous.get(r.asset) ?? null;
      return {
        asset: r.asset,
        attempts: num(r.attempts),
        failures: num(r.failures),
        wallSeconds: {
          total: num(r.wall_total),
          avg: num(r.wall_avg),
          p95: quantile(s.wall, 0.95),
        },
        cpuSeconds: num(r.cpu_seconds),
        peakRssBytes: { max: num(r.peak_rss_max), median: quantile(s.rss, 0.5) },
        rows: num(r.rows_total),
        bytes: num(r.bytes_total),
        trend: {
          metric: by,
          current,
          previous: before,
          change: before === null || before === 0 ? null : (current - before) / before,
        },
      };
    }),
  };
}

const BUCKET_CHARS: Record<TrendBucket, number> = { hour: 13, day: 10 };
const BUCKET_MS: Record<TrendBucket, number> = { hour: 3_600_000, day: 86_400_000 };

/** One asset's attempts in time buckets over a period, empty buckets included. */
export async function resourceTrend(
  db: Kysely<MetaDatabase>,
  asset: string,
  options: ResourceTrendOptions,
): Promise<ResourceTrend> {
  const untilMs = options.untilMs ?? Date.now();
  const { sinceMs } = options;
  checkRange(sinceMs, untilMs);
  const bucket = resourceOption(options.bucket ?? 'day', 'bucket', ['hour', 'day'] as const);
  const size = BUCKET_MS[bucket];
  const first = Math.floor(sinceMs / size) * size;
  const count = Math.ceil((untilMs - first) / size);
  if (count > MAX_TREND_BUCKETS) {
    throw new UsageError(
      `A trend over this period has ${count} ${bucket} buckets, more than ${MAX_TREND_BUCKETS}; shorten the period or use bucket=day.`,
    );
  }
  const chars = BUCKET_CHARS[bucket];
  // ISO timestamps sort and truncate the same on both dialects: the prefix is the bucket.
  const key = sql<string>`substr(finished_at, 1, ${sql.lit(chars)})`;
  const rows = await db
    .selectFrom('attempts')
    .where('asset', '=', asset)
    .where('finished_at', '>=', isoTime(sinceMs))
    .where('finished_at', '<', isoTime(untilMs))
    .where('started_at', 'is not', null)
    .where('state', 'in', MEASURED_STATES)
    .groupBy(key)
    .select((eb) => [
      key.as('bucket'),
      eb.fn.countAll().as('attempts'),
      sql<number>`sum(case when state in ('failed', 'lost') then 1 else 0 end)`.as('failures'),
      sql<number>`avg(wall_seconds)`.as('wall_avg'),
      sql<number>`max(wall_seconds)`.as('wall_max'),
      sql<number>`sum(coalesce(cpu_user_seconds, 0) + coalesce(cpu_system_seconds, 0))`.as('cpu'),
      sql<number>`max(peak_rss_bytes)`.as('rss_max'),
      sql<number>`sum(rows_written)`.as('rows_total'),
      sql<number>`sum(bytes_written)`.as('bytes_total'),
    ])
    .execute();
  const byKey = new Map(rows.map((r) => [String(r.bucket), r]));
  const orNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
  const points: TrendPoint[] = [];
  for (let i = 0; i < count; i++) {
    const start = isoTime(first + i * size);
    const r = byKey.get(start.slice(0, chars));
    points.push({
      start,
      attempts: num(r?.attempts),
      failures: num(r?.failures),
      wallSecondsAvg: orNull(r?.wall_avg),
      wallSecondsMax: orNull(r?.wall_max),
      cpuSeconds: orNull(r?.cpu),
      peakRssMaxBytes: orNull(r?.rss_max),
      rows: orNull(r?.rows_total),
      bytes: orNull(r?.bytes_total),
    });
  }
  return { asset, bucket, since: isoTime(sinceMs), until: isoTime(untilMs), points };
}

/**
 * Throws unless `asset` is one of `known` (the project's assets, when the caller has them) or has
 * attempts on record, so a misspelt name is an error rather than an empty history.
 */
export async function assertResourceAsset(
  db: Kysely<MetaDatabase>,
  asset: string,
  known: readonly string[] = [],
): Promise<void> {
  if (known.includes(asset)) return;
  const row = await db
    .selectFrom('attempts')
    .select('id')
    .where('asset', '=', asset)
    .limit(1)
    .executeTakeFirst();
  if (row === undefined)
    throw new PipelinesUnknownAssetError(
      `No asset "${asset}" in the project and no attempt of it on record. List assets with \`marketlake assets\` or \`marketlake top\`.`,
      { details: { asset } },
    );
}
