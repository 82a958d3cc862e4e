/**
 * Reads the state the alert rules need: the latest run of each asset from the run store's tables,
 * freshness from asset tags and calendars, the latest check results from the lake's `check_runs`,
 * worker heartbeats, each schedule's due and evaluated ticks, the latest attempt of each asset
 * that has a resource budget, and quarantined rows per dataset within the window.
 */
import type { Logger } from '../../core/index.js';
import type { Lake } from '../../lake/index.js';
import { listCheckResults } from '../../market/index.js';
import type { MetaStore } from '../../meta/index.js';
import type {
  AlertSnapshot,
  AssetFreshnessState,
  AssetRunState,
  AttemptUsageState,
  CheckState,
  ResourceBudget,
  RuleThresholds,
} from '../../observe/index.js';
import type { AssetDefinition } from '../sdk/asset.js';
import { previousTick } from '../schedules/index.js';
import type { ProjectSnapshot } from '../runtime/index.js';
import { describeFreshness, freshnessPolicyOf, staleBefore } from './freshness.js';

/** What the reader reads from. */
export interface SnapshotSources {
  readonly meta: MetaStore;
  /** The project's assets and schedules (freshness, budgets, schedule lag need them). */
  readonly project: () => ProjectSnapshot | undefined;
  /** The lake with `check_runs` (check alerts need it). */
  readonly lake?: Lake;
  readonly thresholds: RuleThresholds;
  /** Told once per distinct problem (a bad freshness tag, an unreadable check table). */
  readonly logger: Logger;
}

const MIB = 1024 * 1024;
const ms = (iso: string | null): number | undefined => (iso === null ? undefined : Date.parse(iso));

/** Each asset's latest failed run (by run id: creation order) and its latest success. */
async function assetRuns(
  meta: MetaStore,
  successes: ReadonlyMap<string, number>,
): Promise<AssetRunState[]> {
  const db = meta.db;
  const latest = db
    .selectFrom('run_tasks')
    .select(['asset', (eb) => eb.fn.max('run_id').as('run_id')])
    .where('state', '=', 'failed')
    .groupBy('asset')
    .as('latest');
  const rows = await db
    .selectFrom(latest)
    .innerJoin('run_tasks as t', (j) =>
      j.onRef('t.asset', '=', 'latest.asset').onRef('t.run_id', '=', 'latest.run_id'),
    )
    .innerJoin('runs as r', 'r.id', 't.run_id')
    .select((eb) => [
      't.asset as asset',
      't.run_id as run_id',
      'r.job as job',
      'r.kind as kind',
      eb.fn.countAll<number>().as('failed'),
      eb.fn.max('t.updated_at').as('finished_at'),
    ])
    .where('t.state', '=', 'failed')
    .groupBy(['t.asset', 't.run_id', 'r.job', 'r.kind'])
    .execute();
  const failures = await Promise.all(
    rows.map(async (r) => {
      const attempt = await db
        .selectFrom('attempts')
        .select(['error_message', 'exit_reason'])
        .where('run_id', '=', r.run_id)
        .where('asset', '=', r.asset)
        .where('state', '=', 'failed')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return [
        r.asset,
        {
          runId: r.run_id,
          job: r.job,
          kind: r.kind,
          error: attempt?.error_message ?? attempt?.exit_reason ?? undefined,
          failedPartitions: Number(r.failed),
          finishedAtMs: ms(r.finished_at) ?? 0,
        },
      ] as const;
    }),
  );
  const byAsset = new Map(failures);
  return [...new Set([...byAsset.keys(), ...successes.keys()])].sort().map((asset) => ({
    asset,
    lastSuccessMs: successes.get(asset),
    lastFailure: byAsset.get(asset),
  }));
}

async function lastSuccesses(meta: MetaStore): Promise<Map<string, number>> {
  const rows = await meta.db
    .selectFrom('attempts')
    .select(['asset', (eb) => eb.fn.max('finished_at').as('last')])
    .where('state', '=', 'succeeded')
    .groupBy('asset')
    .execute();
  return new Map(
    rows.filter((r) => r.last !== null).map((r) => [r.asset, Date.parse(String(r.last))]),
  );
}

function budgetOf(asset: AssetDefinition): ResourceBudget | undefined {
  const tag = (name: string): number | undefined => {
    const v = Number(asset.tags[name]);
    return asset.tags[name] !== undefined && Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const memoryMb = tag('budget_memory_mb') ?? asset.resources.memoryMb;
  const budget: ResourceBudget = {
    ...(memoryMb !== undefined ? { memoryBytes: memoryMb * MIB } : {}),
    ...(tag('budget_cpu_seconds') !== undefined ? { cpuSeconds: tag('budget_cpu_seconds') } : {}),
    ...((tag('budget_wall_seconds') ?? asset.timeoutMs) !== undefined
      ? { wallSeconds: tag('budget_wall_seconds') ?? (asset.timeoutMs ?? 0) / 1000 }
      : {}),
    ...(asset.resources.cpus !== undefined ? { cpus: asset.resources.cpus } : {}),
  };
  return Object.keys(budget).length > 0 ? budget : undefined;
}

/** Builds alert snapshots, telling each distinct problem once. */
export class AlertSnapshotReader {
  readonly #told = new Set<string>();

  constructor(private readonly s: SnapshotSources) {}

  #tell(message: string, context: Record<string, unknown> = {}): void {
    if (this.#told.has(message)) return;
    this.#told.add(message);
    this.s.logger.warn(context, message);
  }

  /** The snapshot at `nowMs`. */
  async read(nowMs: number): Promise<AlertSnapshot> {
    const { meta, thresholds } = this.s;
    const project = this.s.project();
    const assets = project ? [...project.assets.values()] : [];
    const successes = await lastSuccesses(meta);
    const [runs, checks, workers, ticks, quarantine] = await Promise.all([
      assetRuns(meta, successes),
      this.#checks(),
      meta.db.selectFrom('workers').selectAll().execute(),
      meta.db.selectFrom('schedule_state').select(['name', 'last_tick_ms']).execute(),
      meta.db
        .selectFrom('quarantine')
        .select(['dataset', (eb) => eb.fn.countAll<number>().as('n')])
        .where('created_at', '>=', new Date(nowMs - thresholds.quarantineWindowMs).toISOString())
        .groupBy('dataset')
        .execute(),
    ]);
    return {
      nowMs,
      assetRuns: runs,
      freshness: this.#freshness(assets, successes, nowMs),
      checks,
      workers: workers.map((w) => ({
        id: w.id,
        host: w.host,
        pid: w.pid,
        heartbeatAtMs: Number(w.heartbeat_at_ms),
      })),
      schedules: (project?.loaded.schedules ?? []).map((sc) => {
        const row = ticks.find((t) => t.name === sc.name);
        return {
          name: sc.name,
          lastTickMs: row === undefined ? undefined : Number(row.last_tick_ms),
          dueTickMs: previousTick(sc, nowMs),
        };
      }),
      attempts: await this.#attempts(assets),
      quarantine: quarantine.map((q) => ({ dataset: q.dataset, rows: Number(q.n) })),
    };
  }

  #freshness(
    assets: readonly AssetDefinition[],
    successes: ReadonlyMap<string, number>,
    nowMs: number,
  ): AssetFreshnessState[] {
    const out: AssetFreshnessState[] = [];
    for (const asset of assets) {
      const policy = freshnessPolicyOf(asset.tags);
      if (policy === undefined) continue;
      if (typeof policy === 'string') {
        this.#tell(`asset ${asset.name}: ${policy}; its freshness is not checked`, {
          asset: asset.name,
        });
        continue;
      }
      try {
        out.push({
          asset: asset.name,
          policy: describeFreshness(policy, asset.tags['freshness'] ?? ''),
          lastSuccessMs: successes.get(asset.name),
          staleBeforeMs: staleBefore(policy, nowMs),
        });
      } catch (err) {
        this.#tell(`asset ${asset.name}: freshness cannot be checked now: ${String(err)}`);
      }
    }
    return out;
  }

  async #checks(): Promise<CheckState[]> {
    if (this.s.lake === undefined) return [];
    let results;
    try {
      results = await listCheckResults(this.s.lake);
    } catch (err) {
      this.#tell('check results cannot be read; check alerts are off until they can', { err });
      return [];
    }
    // The latest execution of each check of each asset, whatever its partition.
    const latest = new Map<string, CheckState>();
    for (const r of results) {
      const key = `${r.asset}\u0000${r.check}`;
      const ranAtMs = Date.parse(r.ranAt);
      const seen = latest.get(key);
      if (seen !== undefined && seen.ranAtMs >= ranAtMs) continue;
      latest.set(key, {
        asset: r.asset,
        check: r.check,
        partition: r.partition,
        severity: r.severity,
        passed: r.passed,
        failingCount: r.failingCount,
        runId: r.runId,
        ranAtMs,
      });
    }
    return [...latest.values()];
  }

  async #attempts(assets: readonly AssetDefinition[]): Promise<AttemptUsageState[]> {
    const out: AttemptUsageState[] = [];
    for (const asset of assets) {
      const budget = budgetOf(asset);
      if (budget === undefined) continue;
      const a = await this.s.meta.db
        .selectFrom('attempts')
        .selectAll()
        .where('asset', '=', asset.name)
        .where('finished_at', 'is not', null)
        .where('state', 'in', ['succeeded', 'failed'])
        .orderBy('finished_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (a === undefined) continue;
      out.push({
        attemptId: a.id,
        runId: a.run_id,
        asset: a.asset,
        partition: a.partition_key,
        exitReason: a.exit_reason,
        wallSeconds: Number(a.wall_seconds ?? 0),
        cpuSeconds: Number(a.cpu_user_seconds ?? 0) + Number(a.cpu_system_seconds ?? 0),
        peakRssBytes: Number(a.peak_rss_bytes ?? 0),
        finishedAtMs: ms(a.finished_at) ?? 0,
        budget,
      });
    }
    return out;
  }
}
