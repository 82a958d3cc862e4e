import type { PlatformMetrics } from '../../src/observe/index.js';

/**
 * Records at least one sample in every marketlake metric (events and a collector), with label
 * values that need escaping, so lint and format checks see every family with data.
 */
export function touchEveryMetric(metrics: PlatformMetrics): void {
  metrics.runFinished({ job: 'daily_bars', kind: 'schedule', state: 'succeeded' });
  metrics.runFinished({ job: 'daily_bars', kind: 'schedule', state: 'failed' });
  metrics.attemptFinished({
    asset: 'bars_1d',
    state: 'succeeded',
    exitReason: 'OK',
    pool: 'default',
    wallSeconds: 12.5,
    queueSeconds: 0.2,
    cpuUserSeconds: 9.1,
    cpuSystemSeconds: 0.7,
    peakRssBytes: 256 * 2 ** 20,
    rowsWritten: 5000,
    bytesWritten: 2 * 2 ** 20,
  });
  metrics.attemptRetried({ asset: 'bars_1d' });
  metrics.checkResult({
    asset: 'bars_1d',
    check: 'ohlc "consistent"',
    severity: 'error',
    passed: false,
  });
  metrics.connectorRequest({ source: 'vendor\\a', status: 200, durationSeconds: 0.12 });
  metrics.connectorRequest({ source: 'vendor\\a', status: 'error', durationSeconds: 5 });
  metrics.connectorError({ source: 'vendor\\a', reason: 'CONNECTOR_TIMEOUT' });
  metrics.connectorRateLimitWait({ source: 'vendor\\a', waitSeconds: 1.5 });
  metrics.scheduleTick({ schedule: 'after_close', lagSeconds: 0.8 });
  metrics.workerHeartbeat();
  metrics.httpRequest({
    method: 'GET',
    route: '/api/datasets/:name',
    status: 200,
    durationSeconds: 0.004,
  });
  metrics.setCollector('state', () => ({
    activeRuns: 2,
    queuedAttempts: 7,
    runningAttempts: 3,
    pools: [{ pool: 'default', slotsInUse: 3, slots: 4 }],
    workers: { alive: 2, lost: 1 },
    oldestHeartbeatAgeSeconds: 4.5,
    assetLastSuccess: [{ asset: 'bars_1d', lastSuccessMs: Date.UTC(2024, 2, 15, 21) }],
    lakeDatasets: [{ dataset: 'bars_1d', bytes: 1_048_576, files: 12, rows: 50_000 }],
  }));
  metrics.setCollector('broken', () => {
    throw new Error('database unavailable');
  });
}
