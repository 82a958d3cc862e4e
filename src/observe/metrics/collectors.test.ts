import { describe, expect, it } from 'vitest';
import { parseExposition, sampleValue, type PromSample } from '../../../test/helpers/prom-text.js';
import { ObserveInvalidMetricValueError } from '../errors.js';
import { createMetrics, type MetricsOptions, type PlatformMetrics } from './platform-metrics.js';

/*
 * Scrape-time collectors: what they return becomes gauges, what no collector returns is absent
 * (not 0), a failing or slow collector costs only its own series, and results can be cached.
 */

async function samplesOf(metrics: PlatformMetrics): Promise<PromSample[]> {
  return parseExposition((await metrics.scrape()).body);
}

const names = (s: PromSample[], prefix: string) =>
  s.filter((x) => x.name.startsWith(prefix)).map((x) => x.name);

function make(options: MetricsOptions = {}) {
  return createMetrics({ processMetrics: false, ...options });
}

describe('metrics collectors', () => {
  it('turn the collected state into gauges', async () => {
    const m = make();
    m.setCollector('runs', () => ({
      activeRuns: 2,
      queuedAttempts: 5,
      runningAttempts: 1,
      pools: [
        { pool: 'default', slotsInUse: 1, slots: 4 },
        { pool: 'heavy', slotsInUse: 0 },
      ],
      workers: { alive: 3, lost: 1 },
      oldestHeartbeatAgeSeconds: 12,
      assetLastSuccess: [{ asset: 'bars_1d', lastSuccessMs: 1_710_536_400_500 }],
    }));
    m.setCollector('lake', () =>
      Promise.resolve({ lakeDatasets: [{ dataset: 'bars_1d', bytes: 2048, files: 3, rows: 90 }] }),
    );
    const s = await samplesOf(m);
    expect(sampleValue(s, 'marketlake_active_runs')).toBe(2);
    expect(sampleValue(s, 'marketlake_queued_attempts')).toBe(5);
    expect(sampleValue(s, 'marketlake_running_attempts')).toBe(1);
    expect(sampleValue(s, 'marketlake_pool_slots_in_use', { pool: 'default' })).toBe(1);
    expect(sampleValue(s, 'marketlake_pool_slots', { pool: 'default' })).toBe(4);
    expect(sampleValue(s, 'marketlake_pool_slots_in_use', { pool: 'heavy' })).toBe(0);
    expect(sampleValue(s, 'marketlake_pool_slots', { pool: 'heavy' })).toBeUndefined();
    expect(sampleValue(s, 'marketlake_workers', { state: 'alive' })).toBe(3);
    expect(sampleValue(s, 'marketlake_workers', { state: 'lost' })).toBe(1);
    expect(sampleValue(s, 'marketlake_worker_heartbeat_age_seconds')).toBe(12);
    expect(
      sampleValue(s, 'marketlake_asset_last_success_timestamp_seconds', { asset: 'bars_1d' }),
    ).toBe(1_710_536_400.5);
    expect(sampleValue(s, 'marketlake_lake_dataset_size_bytes', { dataset: 'bars_1d' })).toBe(2048);
    expect(sampleValue(s, 'marketlake_lake_dataset_files', { dataset: 'bars_1d' })).toBe(3);
    expect(sampleValue(s, 'marketlake_lake_dataset_rows', { dataset: 'bars_1d' })).toBe(90);
    expect(m.collectorNames()).toEqual(['runs', 'lake']);
  });

  it('leave a gauge nobody reports absent, not 0, and drop series a collector stops returning', async () => {
    const m = make();
    expect(names(await samplesOf(m), 'marketlake_active_runs')).toEqual([]);
    let assets = ['a', 'b'];
    m.setCollector('fresh', () => ({
      assetLastSuccess: assets.map((asset) => ({ asset, lastSuccessMs: 1000 })),
    }));
    expect(names(await samplesOf(m), 'marketlake_asset_last')).toHaveLength(2);
    assets = ['b'];
    const s = await samplesOf(m);
    expect(
      s
        .filter((x) => x.name === 'marketlake_asset_last_success_timestamp_seconds')
        .map((x) => x.labels['asset']),
    ).toEqual(['b']);
    expect(m.removeCollector('fresh')).toBe(true);
    expect(m.removeCollector('fresh')).toBe(false);
    expect(names(await samplesOf(m), 'marketlake_asset_last')).toEqual([]);
  });

  it('count a failing collector, drop only its series, and keep serving the rest', async () => {
    const m = make();
    m.setCollector('store', () => Promise.reject(new Error('database is locked')));
    m.setCollector('sync', () => {
      throw new Error('boom');
    });
    m.setCollector('bad', () => ({ activeRuns: Number.NaN, queuedAttempts: 4 }));
    m.setCollector('lake', () => ({ lakeDatasets: [{ dataset: 'd', bytes: 1, files: 1 }] }));
    const s = await samplesOf(m);
    expect(
      sampleValue(s, 'marketlake_metrics_collector_errors_total', { collector: 'store' }),
    ).toBe(1);
    expect(sampleValue(s, 'marketlake_metrics_collector_errors_total', { collector: 'sync' })).toBe(
      1,
    );
    expect(sampleValue(s, 'marketlake_metrics_collector_errors_total', { collector: 'bad' })).toBe(
      1,
    );
    // A bad value fails its whole collector: its valid fields are not half-applied either.
    expect(sampleValue(s, 'marketlake_queued_attempts')).toBeUndefined();
    expect(sampleValue(s, 'marketlake_lake_dataset_size_bytes', { dataset: 'd' })).toBe(1);
    expect(
      sampleValue(s, 'marketlake_metrics_collector_errors_total', { collector: 'lake' }),
    ).toBeUndefined();
  });

  it('give up on a collector after the timeout', async () => {
    const m = make({ collectorTimeoutMs: 50 });
    m.setCollector('hung', () => new Promise(() => undefined));
    m.setCollector('quick', () => ({ activeRuns: 1 }));
    const started = performance.now();
    const s = await samplesOf(m);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(sampleValue(s, 'marketlake_metrics_collector_errors_total', { collector: 'hung' })).toBe(
      1,
    );
    expect(sampleValue(s, 'marketlake_active_runs')).toBe(1);
  });

  it('let the later-registered collector win a series both return', async () => {
    const m = make();
    m.setCollector('first', () => ({ activeRuns: 1, queuedAttempts: 9 }));
    m.setCollector('second', () => ({ activeRuns: 2 }));
    const s = await samplesOf(m);
    expect(sampleValue(s, 'marketlake_active_runs')).toBe(2);
    expect(sampleValue(s, 'marketlake_queued_attempts')).toBe(9);
  });

  it('reuse a result younger than maxAgeMs', async () => {
    let now = 1_000_000;
    let calls = 0;
    const m = make({ now: () => now });
    m.setCollector('lake', () => ({ activeRuns: ++calls }), { maxAgeMs: 30_000 });
    expect(sampleValue(await samplesOf(m), 'marketlake_active_runs')).toBe(1);
    now += 29_999;
    expect(sampleValue(await samplesOf(m), 'marketlake_active_runs')).toBe(1);
    now += 1;
    expect(sampleValue(await samplesOf(m), 'marketlake_active_runs')).toBe(2);
    expect(calls).toBe(2);
  });

  it('need a name and a non-negative maxAgeMs', () => {
    const m = make();
    expect(() => m.setCollector('', () => ({}))).toThrow(ObserveInvalidMetricValueError);
    expect(() => m.setCollector('x', () => ({}), { maxAgeMs: -1 })).toThrow(
      /maxAgeMs must be >= 0/,
    );
  });
});
