/**
 * Feeds the platform's Prometheus metrics from the pipelines runtime: attempt and run outcomes,
 * retries and schedule ticks as they happen, and queue, worker and freshness gauges read from the
 * metadata database at scrape time.
 */
import type { MetaStore } from '../meta/index.js';
import type { PlatformMetrics } from '../observe/index.js';
import type { AttemptReport, PipelinesRuntime, RuntimeHooks } from '../pipelines/index.js';

/** Runtime hooks that record into `metrics`. */
export function metricsHooks(metrics: PlatformMetrics): RuntimeHooks {
  return {
    attemptFinished(report: AttemptReport): void {
      const { claim, result, outcome } = report;
      const u = result?.usage;
      metrics.attemptFinished({
        asset: claim.asset,
        state: outcome?.state ?? 'lost',
        exitReason: result?.exitReason ?? 'NOT_STARTED',
        ...(claim.pool !== null ? { pool: claim.pool } : {}),
        wallSeconds: u?.wallSeconds ?? 0,
        queueSeconds: claim.queueSeconds,
        cpuUserSeconds: u?.cpuUserSeconds ?? 0,
        cpuSystemSeconds: u?.cpuSystemSeconds ?? 0,
        peakRssBytes: u?.peakRssBytes ?? 0,
        rowsWritten: u?.rowsWritten ?? 0,
        bytesWritten: u?.bytesWritten ?? 0,
      });
      if (outcome?.retry !== undefined) metrics.attemptRetried({ asset: claim.asset });
    },
    runFinished(run): void {
      // Bounded label values: a schedule or sensor name, else the kind (never a backfill id).
      const job = run.kind === 'backfill' || run.job === null ? run.kind : run.job;
      metrics.runFinished({ job, kind: run.kind, state: run.state });
    },
    heartbeat(): void {
      metrics.workerHeartbeat();
    },
    checkFinished(asset, outcome): void {
      metrics.checkResult({
        asset,
        check: outcome.check,
        severity: outcome.severity,
        passed: outcome.passed,
      });
    },
    scheduleTicked(schedule: string, lagSeconds: number): void {
      metrics.scheduleTick({ schedule, lagSeconds });
    },
  };
}

/** Registers the scrape-time collector of run queue, workers and asset freshness. */
export function collectPipelineGauges(
  metrics: PlatformMetrics,
  meta: MetaStore,
  runtime: PipelinesRuntime,
): void {
  const leaseMs = runtime.store.config.leaseMs;
  metrics.setCollector('pipelines', async () => {
    const db = meta.db;
    const [active, queued, workers, fresh] = await Promise.all([
      db
        .selectFrom('runs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst(),
      db
        .selectFrom('attempts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', '=', 'queued')
        .executeTakeFirst(),
      db.selectFrom('workers').select(['host', 'heartbeat_at_ms']).execute(),
      db
        .selectFrom('attempts')
        .select(['asset', (eb) => eb.fn.max('finished_at').as('last')])
        .where('state', '=', 'succeeded')
        .groupBy('asset')
        .execute(),
    ]);
    const now = Date.now();
    const stats = runtime.executorStats();
    const lost = workers.filter((w) => now - Number(w.heartbeat_at_ms) > 2 * leaseMs).length;
    return {
      activeRuns: Number(active?.n ?? 0),
      queuedAttempts: Number(queued?.n ?? 0),
      ...(stats ? { runningAttempts: stats.running } : {}),
      ...(stats
        ? { pools: [{ pool: 'default', slotsInUse: stats.running, slots: stats.slots }] }
        : {}),
      workers: { alive: workers.length - lost, lost },
      ...(workers.length > 0
        ? {
            oldestHeartbeatAgeSeconds: Math.max(
              ...workers.map((w) => (now - Number(w.heartbeat_at_ms)) / 1000),
            ),
          }
        : {}),
      assetLastSuccess: fresh
        .filter((r) => r.last !== null)
        .map((r) => ({ asset: r.asset, lastSuccessMs: Date.parse(String(r.last)) })),
    };
  });
}
