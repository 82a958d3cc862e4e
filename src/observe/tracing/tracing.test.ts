import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/helpers/otlp-receiver.js';
import { ObserveOtlpEndpointInvalidError } from '../errors.js';
import { attemptSpanId, parseTraceParent, runSpanId, traceIdOfRun } from './trace-ids.js';
import { NOOP_TRACING, createTracing, otlpTracesUrl, type Tracing } from './tracing.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');

// Counts imports of the module that starts the span thread: the no-op path must never load it.
const sdk = vi.hoisted(() => ({ loads: 0 }));
vi.mock('./threaded-tracing.js', async (importOriginal) => {
  sdk.loads++;
  return importOriginal();
});

const resources = {
  wallSeconds: 2.5,
  queueSeconds: 0.25,
  cpuUserSeconds: 1.75,
  cpuSystemSeconds: 0.5,
  peakRssBytes: 123_456_789,
  rowsWritten: 5000,
  bytesRead: 4096,
  bytesWritten: 1_048_576,
};

describe('trace ids', () => {
  it('derives stable, distinct W3C ids from run and attempt ids', () => {
    expect(traceIdOfRun('run_1')).toMatch(/^[0-9a-f]{32}$/);
    expect(runSpanId('run_1')).toMatch(/^[0-9a-f]{16}$/);
    expect(attemptSpanId('att_1')).toMatch(/^[0-9a-f]{16}$/);
    expect(traceIdOfRun('run_1')).toBe(traceIdOfRun('run_1'));
    expect(traceIdOfRun('run_1')).not.toBe(traceIdOfRun('run_2'));
    expect(runSpanId('x')).not.toBe(attemptSpanId('x'));
    // Other processes and earlier releases derive the same ids: the derivation is fixed.
    expect(traceIdOfRun('run_1')).toBe('937e94fc059c289f178a2e5aaf9568a2');
    expect(runSpanId('run_1')).toBe('d0f674712bd1246a');
    expect(attemptSpanId('att_1')).toBe('d87ed7924e25604b');
  });

  it('parses traceparent headers and ignores malformed ones', () => {
    const tp = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    expect(parseTraceParent(tp)).toEqual({
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      sampled: true,
    });
    for (const bad of [undefined, '', 'junk', `00-${'0'.repeat(32)}-${'b'.repeat(16)}-01`])
      expect(parseTraceParent(bad)).toBeUndefined();
  });

  it('turns endpoints into traces URLs and rejects non-HTTP ones', () => {
    expect(otlpTracesUrl('http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318/v1/traces');
    expect(otlpTracesUrl('https://c.example/otlp/')).toBe('https://c.example/otlp/v1/traces');
    expect(otlpTracesUrl('http://h:4318/v1/traces')).toBe('http://h:4318/v1/traces');
    expect(() => otlpTracesUrl('grpc://h:4317')).toThrow(ObserveOtlpEndpointInvalidError);
    expect(() => otlpTracesUrl('not a url')).toThrow(/MARKETLAKE_OTLP_ENDPOINT/);
  });
});

describe('createTracing without an endpoint', () => {
  it('is the no-op and starts no span thread', async () => {
    expect(await createTracing({ serviceName: 'marketlake' })).toBe(NOOP_TRACING);
    expect(await createTracing({ serviceName: 'marketlake', endpoint: ' ' })).toBe(NOOP_TRACING);
    expect(sdk.loads).toBe(0);
    NOOP_TRACING.runSpan({
      runId: 'r',
      kind: 'manual',
      job: null,
      state: 'x',
      startMs: 0,
      endMs: 1,
    });
    await NOOP_TRACING.shutdown();
  });
});

describe('createTracing with a local OTLP/HTTP receiver', () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
    tracing = await createTracing({
      endpoint: receiver.url,
      serviceName: 'marketlake-test',
      exportDelayMs: 50,
    });
  });
  afterEach(async () => {
    await tracing.shutdown();
    await receiver.close();
  });

  it('exports a run trace: run span, attempt spans with resources, child spans', async () => {
    expect(tracing.enabled).toBe(true);
    expect(tracing.url).toBe(`${receiver.url}/v1/traces`);
    const base = { runId: 'run_A', partition: null, attempt: 1, resources };
    tracing.attemptSpan({
      ...base,
      attemptId: 'att_1',
      asset: 'prices',
      partition: '2024-03-14',
      startMs: T0 + 1000,
      endMs: T0 + 3500,
      state: 'succeeded',
      exitReason: 'OK',
      workerId: 'w1',
    });
    tracing.attemptSpan({
      ...base,
      attemptId: 'att_2',
      asset: 'factors',
      startMs: T0 + 4000,
      endMs: T0 + 5000,
      state: 'failed',
      exitReason: 'TIMEOUT',
      errorCode: 'PIPELINES_ATTEMPT_TIMEOUT',
      errorMessage: 'ran past 1 s',
    });
    tracing.attemptChildSpan({
      runId: 'run_A',
      attemptId: 'att_1',
      name: 'lake.commit prices',
      startMs: T0 + 3000,
      endMs: T0 + 3400,
      attributes: { 'marketlake.dataset': 'prices', 'marketlake.version': 3 },
    });
    tracing.runSpan({
      runId: 'run_A',
      kind: 'schedule',
      job: 'nightly',
      state: 'failed',
      startMs: T0,
      endMs: T0 + 5100,
      error: '1 task failed',
      attemptsNotTraced: 250,
    });
    await tracing.flush();
    await receiver.waitFor((s) => s.length === 4);
    const byName = new Map(receiver.spans.map((s) => [s.name, s]));
    const run = byName.get('RUN nightly')!;
    const prices = byName.get('prices')!;
    const factors = byName.get('factors')!;
    const commit = byName.get('lake.commit prices')!;
    const traceId = traceIdOfRun('run_A');
    for (const s of [run, prices, factors, commit]) {
      expect(s.traceId).toBe(traceId);
      expect(s.service).toBe('marketlake-test');
    }
    expect(run).toMatchObject({
      spanId: runSpanId('run_A'),
      parentSpanId: undefined,
      startMs: T0,
      endMs: T0 + 5100,
      statusCode: 2,
      statusMessage: '1 task failed',
      attributes: {
        'cicd.pipeline.name': 'nightly',
        'cicd.pipeline.run.id': 'run_A',
        'cicd.pipeline.result': 'failure',
        'marketlake.run.kind': 'schedule',
        'marketlake.attempts_not_traced': 250,
      },
    });
    expect(prices).toMatchObject({
      spanId: attemptSpanId('att_1'),
      parentSpanId: runSpanId('run_A'),
      kind: 1,
      startMs: T0 + 1000,
      endMs: T0 + 3500,
      statusCode: 0,
      attributes: {
        'cicd.pipeline.name': 'prices',
        'cicd.pipeline.run.id': 'run_A',
        'cicd.pipeline.task.run.id': 'att_1',
        'cicd.pipeline.task.run.result': 'success',
        'cicd.worker.id': 'w1',
        'marketlake.partition': '2024-03-14',
        'marketlake.exit_reason': 'OK',
        'marketlake.wall_seconds': 2.5,
        'marketlake.cpu_user_seconds': 1.75,
        'marketlake.peak_rss_bytes': 123_456_789,
        'marketlake.rows_written': 5000,
        'marketlake.bytes_written': 1_048_576,
      },
    });
    expect(factors).toMatchObject({
      parentSpanId: runSpanId('run_A'),
      statusCode: 2,
      statusMessage: 'ran past 1 s',
      attributes: {
        'cicd.pipeline.task.run.result': 'timeout',
        'error.type': 'PIPELINES_ATTEMPT_TIMEOUT',
      },
    });
    expect(factors.attributes['marketlake.partition']).toBeUndefined();
    expect(commit).toMatchObject({
      parentSpanId: attemptSpanId('att_1'),
      attributes: { 'marketlake.dataset': 'prices', 'marketlake.version': 3 },
    });
    // OTLP/HTTP's default encoding.
    expect(receiver.requests.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
  });

  it('exports OTLP JSON when the protocol is http/json', async () => {
    const json = await createTracing({
      endpoint: receiver.url,
      serviceName: 'marketlake-json',
      protocol: 'http/json',
    });
    json.runSpan({
      runId: 'run_json',
      kind: 'manual',
      job: null,
      state: 'failed',
      startMs: T0,
      endMs: T0 + 1,
      error: 'boom',
    });
    await json.shutdown();
    expect(receiver.requests.map((r) => r.contentType)).toEqual(['application/json']);
    expect(receiver.spans[0]).toMatchObject({
      service: 'marketlake-json',
      name: 'RUN manual',
      traceId: traceIdOfRun('run_json'),
      statusCode: 2,
      statusMessage: 'boom',
    });
  });

  it('exports API request spans, joining the caller trace from traceparent', async () => {
    const caller = `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`;
    tracing.httpServerSpan({
      method: 'GET',
      route: '/api/runs/:id',
      path: '/api/runs/r1',
      statusCode: 200,
      startMs: T0,
      endMs: T0 + 12,
      traceparent: caller,
    });
    tracing.httpServerSpan({
      method: 'POST',
      route: '/api/runs',
      path: '/api/runs',
      statusCode: 503,
      startMs: T0,
      endMs: T0 + 3,
    });
    await tracing.shutdown();
    await receiver.waitFor((s) => s.length === 2);
    const [get, post] = receiver.spans;
    expect(get).toMatchObject({
      name: 'GET /api/runs/:id',
      kind: 2,
      traceId: 'c'.repeat(32),
      parentSpanId: 'd'.repeat(16),
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/api/runs/:id',
        'url.path': '/api/runs/r1',
        'http.response.status_code': 200,
      },
    });
    expect(post).toMatchObject({ name: 'POST /api/runs', statusCode: 2, parentSpanId: undefined });
    expect(post!.traceId).not.toBe(get!.traceId);
    // After shutdown, spans are dropped instead of failing.
    tracing.httpServerSpan({
      method: 'GET',
      route: '/x',
      path: '/x',
      statusCode: 200,
      startMs: T0,
      endMs: T0,
    });
    expect(sdk.loads).toBe(1);
  });

  it('exports the HTTP requests of an attempt as client spans under the attempt span', async () => {
    const where = { scheme: 'https', host: 'api.stlouisfed.org', port: 443, source: 'fred' };
    tracing.httpClientSpan({
      runId: 'run_H',
      attemptId: 'att_H',
      request: {
        ...where,
        method: 'GET',
        path: '/fred/series/observations',
        status: 503,
        startMs: T0,
        endMs: T0 + 40,
        resendCount: 0,
        errorType: '503',
      },
    });
    tracing.httpClientSpan({
      runId: 'run_H',
      attemptId: 'att_H',
      request: {
        ...where,
        port: 8443,
        method: 'GET',
        path: '/fred/series/observations',
        status: 200,
        startMs: T0 + 60,
        endMs: T0 + 90,
        resendCount: 1,
      },
    });
    tracing.httpClientSpan({
      runId: 'run_H',
      attemptId: 'att_H',
      request: {
        scheme: 'http',
        host: '::1',
        port: 80,
        method: 'POST',
        path: '/hook',
        startMs: T0 + 100,
        endMs: T0 + 101,
        resendCount: 0,
        errorType: 'ECONNREFUSED',
        error: 'fetch failed',
      },
    });
    await tracing.flush();
    await receiver.waitFor((s) => s.length === 3);
    const [failed, retried, refused] = [...receiver.spans].sort((a, b) => a.startMs - b.startMs);
    for (const s of [failed, retried, refused]) {
      expect(s).toMatchObject({
        kind: 3,
        traceId: traceIdOfRun('run_H'),
        parentSpanId: attemptSpanId('att_H'),
      });
    }
    expect(failed).toMatchObject({
      name: 'GET',
      startMs: T0,
      endMs: T0 + 40,
      statusCode: 2,
      statusMessage: 'HTTP 503',
      attributes: {
        'http.request.method': 'GET',
        'server.address': 'api.stlouisfed.org',
        'server.port': 443,
        'url.scheme': 'https',
        'url.path': '/fred/series/observations',
        'url.full': 'https://api.stlouisfed.org/fred/series/observations',
        'http.response.status_code': 503,
        'error.type': '503',
        'marketlake.source': 'fred',
      },
    });
    expect(failed!.attributes['http.request.resend_count']).toBeUndefined();
    expect(retried).toMatchObject({
      statusCode: 0,
      attributes: {
        'url.full': 'https://api.stlouisfed.org:8443/fred/series/observations',
        'http.request.resend_count': 1,
        'http.response.status_code': 200,
      },
    });
    expect(retried!.attributes['error.type']).toBeUndefined();
    expect(refused).toMatchObject({
      name: 'POST',
      statusCode: 2,
      statusMessage: 'fetch failed',
      attributes: { 'url.full': 'http://[::1]/hook', 'error.type': 'ECONNREFUSED' },
    });
    expect(refused!.attributes['http.response.status_code']).toBeUndefined();
  });
});
