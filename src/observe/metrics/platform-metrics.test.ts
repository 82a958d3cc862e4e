import { describe, expect, it } from 'vitest';
import { parseExposition, sampleValue, type PromSample } from '../../../test/helpers/prom-text.js';
import { ObserveInvalidMetricValueError } from '../errors.js';
import { createMetrics, type PlatformMetrics } from './platform-metrics.js';

/*
 * The metrics facade through what Prometheus would see: every test records events or registers
 * collectors, scrapes, parses the text and checks the samples.
 */

const attempt = {
  asset: 'bars_1d',
  state: 'succeeded',
  exitReason: 'OK',
  wallSeconds: 0.3,
  queueSeconds: 2,
  cpuUserSeconds: 0.25,
  cpuSystemSeconds: 0.05,
  peakRssBytes: 100_000_000,
  rowsWritten: 500,
  bytesWritten: 40_000,
};

async function samplesOf(metrics: PlatformMetrics): Promise<PromSample[]> {
  return parseExposition((await metrics.scrape()).body);
}

describe('metrics events', () => {
  it('counts runs by job, kind and final state', async () => {
    const m = createMetrics({ processMetrics: false });
    m.runFinished({ job: 'daily', kind: 'schedule', state: 'succeeded' });
    m.runFinished({ job: 'daily', kind: 'schedule', state: 'succeeded' });
    m.runFinished({ job: 'daily', kind: 'schedule', state: 'failed' });
    const s = await samplesOf(m);
    expect(
      sampleValue(s, 'marketlake_runs_total', {
        job_name: 'daily',
        kind: 'schedule',
        state: 'succeeded',
      }),
    ).toBe(2);
    expect(
      sampleValue(s, 'marketlake_runs_total', {
        job_name: 'daily',
        kind: 'schedule',
        state: 'failed',
      }),
    ).toBe(1);
  });

  it('records an attempt: count, wall and queue histograms, CPU, peak memory, rows, bytes', async () => {
    const m = createMetrics({ processMetrics: false });
    m.attemptFinished(attempt);
    m.attemptFinished({
      ...attempt,
      state: 'failed',
      exitReason: 'OOM',
      wallSeconds: 7200,
      peakRssBytes: 2e9,
      pool: 'heavy',
    });
    const s = await samplesOf(m);
    const a = { asset: 'bars_1d' };
    expect(
      sampleValue(s, 'marketlake_attempts_total', { ...a, state: 'succeeded', exit_reason: 'OK' }),
    ).toBe(1);
    expect(
      sampleValue(s, 'marketlake_attempts_total', { ...a, state: 'failed', exit_reason: 'OOM' }),
    ).toBe(1);
    // 0.3 s falls in the 0.5 s bucket, 7200 s in the 7200 s bucket; buckets run 10 ms to 6 h.
    expect(sampleValue(s, 'marketlake_attempt_duration_seconds_bucket', { ...a, le: '0.1' })).toBe(
      0,
    );
    expect(sampleValue(s, 'marketlake_attempt_duration_seconds_bucket', { ...a, le: '0.5' })).toBe(
      1,
    );
    expect(sampleValue(s, 'marketlake_attempt_duration_seconds_bucket', { ...a, le: '3600' })).toBe(
      1,
    );
    expect(sampleValue(s, 'marketlake_attempt_duration_seconds_bucket', { ...a, le: '7200' })).toBe(
      2,
    );
    expect(sampleValue(s, 'marketlake_attempt_duration_seconds_bucket', { ...a, le: '0.01' })).toBe(
      0,
    );
    expect(
      sampleValue(s, 'marketlake_attempt_duration_seconds_bucket', { ...a, le: '21600' }),
    ).toBe(2);
    expect(sampleValue(s, 'marketlake_attempt_duration_seconds_sum', a)).toBeCloseTo(7200.3);
    expect(sampleValue(s, 'marketlake_attempt_duration_seconds_count', a)).toBe(2);
    expect(
      sampleValue(s, 'marketlake_attempt_queue_duration_seconds_count', { pool: 'default' }),
    ).toBe(1);
    expect(
      sampleValue(s, 'marketlake_attempt_queue_duration_seconds_count', { pool: 'heavy' }),
    ).toBe(1);
    expect(
      sampleValue(s, 'marketlake_attempt_cpu_seconds_total', { ...a, mode: 'user' }),
    ).toBeCloseTo(0.5);
    expect(
      sampleValue(s, 'marketlake_attempt_cpu_seconds_total', { ...a, mode: 'system' }),
    ).toBeCloseTo(0.1);
    // The peak of the latest attempt, not a sum.
    expect(sampleValue(s, 'marketlake_attempt_peak_memory_bytes', a)).toBe(2e9);
    expect(sampleValue(s, 'marketlake_written_rows_total', a)).toBe(1000);
    expect(sampleValue(s, 'marketlake_written_bytes_total', a)).toBe(80_000);
  });

  it('records retries, checks, schedule ticks, heartbeats and connector traffic', async () => {
    const m = createMetrics({ processMetrics: false });
    m.attemptRetried({ asset: 'bars_1d' });
    m.checkResult({ asset: 'bars_1d', check: 'ohlc', severity: 'error', passed: false });
    m.checkResult({ asset: 'bars_1d', check: 'ohlc', severity: 'error', passed: true });
    m.scheduleTick({ schedule: 'close', lagSeconds: 3 });
    m.scheduleTick({ schedule: 'close', lagSeconds: 1.5 });
    m.workerHeartbeat();
    m.workerHeartbeat();
    m.connectorRequest({ source: 'vendor', status: 429, durationSeconds: 0.02 });
    m.connectorRequest({ source: 'vendor', status: 'error', durationSeconds: 30 });
    m.connectorError({ source: 'vendor', reason: 'CONNECTOR_TIMEOUT' });
    m.connectorRateLimitWait({ source: 'vendor', waitSeconds: 2 });
    m.connectorRateLimitWait({ source: 'vendor', waitSeconds: 0.5 });
    const s = await samplesOf(m);
    expect(sampleValue(s, 'marketlake_attempt_retries_total', { asset: 'bars_1d' })).toBe(1);
    const check = { asset: 'bars_1d', check: 'ohlc', severity: 'error' };
    expect(sampleValue(s, 'marketlake_check_results_total', { ...check, outcome: 'failed' })).toBe(
      1,
    );
    expect(sampleValue(s, 'marketlake_check_results_total', { ...check, outcome: 'passed' })).toBe(
      1,
    );
    expect(sampleValue(s, 'marketlake_schedule_ticks_total', { schedule: 'close' })).toBe(2);
    expect(sampleValue(s, 'marketlake_schedule_lag_seconds', { schedule: 'close' })).toBe(1.5);
    expect(sampleValue(s, 'marketlake_worker_heartbeats_total')).toBe(2);
    expect(
      sampleValue(s, 'marketlake_connector_requests_total', { source: 'vendor', code: '429' }),
    ).toBe(1);
    expect(
      sampleValue(s, 'marketlake_connector_requests_total', { source: 'vendor', code: 'error' }),
    ).toBe(1);
    expect(
      sampleValue(s, 'marketlake_connector_request_duration_seconds_count', { source: 'vendor' }),
    ).toBe(2);
    expect(
      sampleValue(s, 'marketlake_connector_errors_total', {
        source: 'vendor',
        reason: 'CONNECTOR_TIMEOUT',
      }),
    ).toBe(1);
    expect(
      sampleValue(s, 'marketlake_connector_rate_limit_waits_total', { source: 'vendor' }),
    ).toBe(2);
    expect(
      sampleValue(s, 'marketlake_connector_rate_limit_wait_seconds_total', { source: 'vendor' }),
    ).toBe(2.5);
  });

  it('labels HTTP requests by method, route pattern and status; odd methods become OTHER', async () => {
    const m = createMetrics({ processMetrics: false });
    m.httpRequest({
      method: 'GET',
      route: '/api/datasets/:name',
      status: 200,
      durationSeconds: 0.002,
    });
    m.httpRequest({ method: 'PROPFIND', route: 'unmatched', status: 404, durationSeconds: 0.001 });
    const s = await samplesOf(m);
    const ok = { method: 'GET', route: '/api/datasets/:name', code: '200' };
    expect(sampleValue(s, 'marketlake_http_request_duration_seconds_count', ok)).toBe(1);
    expect(
      sampleValue(s, 'marketlake_http_request_duration_seconds_bucket', { ...ok, le: '0.001' }),
    ).toBe(0);
    expect(
      sampleValue(s, 'marketlake_http_request_duration_seconds_bucket', { ...ok, le: '0.005' }),
    ).toBe(1);
    const other = { method: 'OTHER', route: 'unmatched', code: '404' };
    expect(sampleValue(s, 'marketlake_http_request_duration_seconds_count', other)).toBe(1);
  });

  it('exposes the build version and, unless disabled, the process metrics', async () => {
    const withProcess = await samplesOf(createMetrics());
    expect(withProcess.find((x) => x.name === 'marketlake_build_info')?.labels['version']).toMatch(
      /^\d+\.\d+\.\d+/,
    );
    expect(sampleValue(withProcess, 'marketlake_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(withProcess, 'marketlake_process_cpu_seconds_total')).toBeGreaterThan(0);
    // Gauges named _total fail promtool; the per-type gauges they sum stay.
    expect(withProcess.some((x) => x.name === 'marketlake_nodejs_active_handles_total')).toBe(
      false,
    );
    expect(withProcess.some((x) => x.name === 'marketlake_nodejs_active_handles')).toBe(true);
    const without = await samplesOf(createMetrics({ processMetrics: false }));
    expect(without.some((x) => x.name.startsWith('marketlake_process_'))).toBe(false);
  });

  it('keeps each instance in its own registry', async () => {
    const a = createMetrics({ processMetrics: false });
    const b = createMetrics({ processMetrics: false });
    a.attemptRetried({ asset: 'x' });
    expect(
      sampleValue(await samplesOf(a), 'marketlake_attempt_retries_total', { asset: 'x' }),
    ).toBe(1);
    expect(
      sampleValue(await samplesOf(b), 'marketlake_attempt_retries_total', { asset: 'x' }),
    ).toBeUndefined();
  });
});

describe('metrics input checks', () => {
  it('rejects empty and over-long labels, naming the method and field', () => {
    const m = createMetrics({ processMetrics: false });
    const err = (() => {
      try {
        m.attemptRetried({ asset: '' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ObserveInvalidMetricValueError);
    expect((err as ObserveInvalidMetricValueError).code).toBe('OBSERVE_INVALID_METRIC_VALUE');
    expect((err as Error).message).toMatch(
      /metrics\.attemptRetried: asset must be a non-empty string/,
    );
    expect(() => m.runFinished({ job: 'x'.repeat(201), kind: 'manual', state: 'failed' })).toThrow(
      /at most 200/,
    );
  });

  it('rejects non-finite numbers and negative amounts, recording nothing of a bad event', async () => {
    const m = createMetrics({ processMetrics: false });
    expect(() => m.attemptFinished({ ...attempt, wallSeconds: Number.NaN })).toThrow(
      /wallSeconds must be a finite number/,
    );
    expect(() => m.attemptFinished({ ...attempt, rowsWritten: -1 })).toThrow(
      /rowsWritten must be >= 0/,
    );
    expect(() => m.connectorRequest({ source: 's', status: 42, durationSeconds: 1 })).toThrow(
      /HTTP status code/,
    );
    expect(() =>
      m.httpRequest({ method: 'GET', route: '/', status: 200.5, durationSeconds: 1 }),
    ).toThrow(ObserveInvalidMetricValueError);
    const s = await samplesOf(m);
    expect(s.filter((x) => x.name === 'marketlake_attempts_total')).toEqual([]);
    expect(s.filter((x) => x.name === 'marketlake_connector_requests_total')).toEqual([]);
  });

  it('records a negative duration (clock skew between machines) as 0', async () => {
    const m = createMetrics({ processMetrics: false });
    m.attemptFinished({ ...attempt, queueSeconds: -0.4 });
    m.scheduleTick({ schedule: 'close', lagSeconds: -2 });
    const s = await samplesOf(m);
    expect(
      sampleValue(s, 'marketlake_attempt_queue_duration_seconds_sum', { pool: 'default' }),
    ).toBe(0);
    expect(sampleValue(s, 'marketlake_schedule_lag_seconds', { schedule: 'close' })).toBe(0);
  });
});
