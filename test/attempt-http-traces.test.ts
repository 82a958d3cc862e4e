import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tracingHooks } from '../src/cli/tracing-hooks.js';
import { startFixtureServer, type FixtureServer } from '../src/connectors/index.js';
import { createLogger } from '../src/core/index.js';
import { attemptSpanId, createTracing, traceIdOfRun, type Tracing } from '../src/observe/index.js';
import { PipelinesRuntime, ProjectHolder, RunStore } from '../src/pipelines/index.js';
import { backends } from './helpers/backends.js';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.js';
import { withLake, type LakeFixture } from './helpers/with-lake.js';

/*
 * A pipeline attempt that calls a connector (FRED, against a local fixture server, with one
 * injected 503) and `ctx.fetch`: its worker records the requests, the result carries them to the
 * runtime, and the tracing hooks export them as client spans under the attempt's span, with the
 * HTTP semantic-convention attributes and neither query strings nor secrets.
 */

const KEY = 'fred-key-98765';
const fredFixture = fileURLToPath(
  new URL('../src/connectors/providers/fred/fixtures/t10y2y.json', import.meta.url),
);

const pipeline = (baseUrl: string): string => `
import { asset, getConnector, runConnector } from 'marketlake';
export const rates = asset({
  name: 'rates',
  retry: { maxAttempts: 1 },
  run: async (ctx) => {
    const key = ctx.secret('fred_key');
    const summary = await runConnector(ctx.lake, getConnector('fred'), {
      baseUrl: '${baseUrl}',
      symbols: ['T10Y2Y'],
      since: '2024-01-01',
      until: '2024-01-05',
      secrets: { 'fred.api_key': key },
      http: { baseDelayMs: 5, maxDelayMs: 20, minIntervalMs: 0 },
    });
    const res = await ctx.fetch('${baseUrl}/status/' + key + '?token=' + key, { attempts: 1 });
    ctx.log.info('fred: ' + summary.requests + ' requests; status: ' + res.status);
  },
});
`;

let server: FixtureServer;
let receiver: OtlpReceiver;

beforeEach(async () => {
  server = await startFixtureServer([
    {
      path: '/fred/series/observations',
      query: { series_id: 'T10Y2Y', api_key: KEY },
      file: fredFixture,
    },
  ]);
  server.fail({ kind: 'status', status: 503 }, { path: '/fred' });
  receiver = await startOtlpReceiver();
});

afterEach(async () => {
  await server.close();
  await receiver.close();
});

async function runTraced(fx: LakeFixture, tracing: Tracing): Promise<string> {
  const projectDir = path.join(fx.dir, 'project');
  mkdirSync(path.join(projectDir, 'pipelines'), { recursive: true });
  writeFileSync(path.join(projectDir, 'pipelines', 'rates.ts'), pipeline(server.url));
  const project = await ProjectHolder.load(projectDir);
  expect(project.current().loaded.diagnostics).toEqual([]);
  const runtime = await PipelinesRuntime.start({
    store: new RunStore(fx.store, { leaseMs: 3000 }),
    project,
    logger: createLogger({ level: 'silent' }),
    lake: {
      databaseUrl: fx.url,
      lakePath: fx.root,
      tempDir: path.join(fx.dir, 'tmp'),
      memoryLimit: '256MB',
    },
    secrets: { fred_key: KEY },
    worker: { slots: 1, pollMs: 50 },
    hooks: tracingHooks(tracing, fx.store),
  });
  try {
    const { runId } = await runtime.submit({ assets: ['rates'] });
    const run = await runtime.waitForRun(runId);
    expect(run.state, run.attempts[0]?.error?.message).toBe('succeeded');
    return runId;
  } finally {
    await runtime.stop(1000);
  }
}

describe.each(backends)('HTTP requests of an attempt in its trace on $name', (backend) => {
  it.skipIf(backend.skip)(
    'exports connector and ctx.fetch requests as client spans of the attempt span',
    () =>
      withLake(backend, async (fx) => {
        const tracing = await createTracing({
          endpoint: receiver.url,
          serviceName: 'marketlake-test',
          exportDelayMs: 50,
        });
        let runId: string;
        try {
          runId = await runTraced(fx, tracing);
        } finally {
          await tracing.shutdown();
        }
        const inRun = receiver.spans.filter((s) => s.traceId === traceIdOfRun(runId));
        const attempt = inRun.find((s) => s.name === 'rates');
        expect(attempt?.attributes).toMatchObject({
          'marketlake.http_requests': 3,
          'marketlake.http_requests_unrecorded': 0,
        });
        const attemptId = String(attempt?.attributes['cicd.pipeline.task.run.id']);
        expect(attempt?.spanId).toBe(attemptSpanId(attemptId));
        const http = inRun.filter((s) => s.kind === 3).sort((a, b) => a.startMs - b.startMs);
        const port = Number(new URL(server.url).port);
        const where = {
          'http.request.method': 'GET',
          'server.address': '127.0.0.1',
          'server.port': port,
          'url.scheme': 'http',
        };
        expect(http).toMatchObject([
          {
            name: 'GET',
            statusCode: 2,
            statusMessage: 'HTTP 503',
            attributes: {
              ...where,
              'url.path': '/fred/series/observations',
              'http.response.status_code': 503,
              'error.type': '503',
              'marketlake.source': 'fred',
            },
          },
          {
            name: 'GET',
            statusCode: 0,
            attributes: {
              ...where,
              'url.path': '/fred/series/observations',
              'http.response.status_code': 200,
              'http.request.resend_count': 1,
              'marketlake.source': 'fred',
            },
          },
          {
            name: 'GET',
            statusCode: 2,
            attributes: {
              ...where,
              'url.path': '/status/[redacted]',
              'url.full': `${server.url}/status/[redacted]`,
              'http.response.status_code': 404,
              'error.type': '404',
            },
          },
        ]);
        for (const s of http) {
          expect(s.parentSpanId).toBe(attempt?.spanId);
          expect(s.startMs).toBeGreaterThanOrEqual(attempt!.startMs);
          expect(s.endMs).toBeLessThanOrEqual(attempt!.endMs);
        }
        expect(http[2]?.attributes['marketlake.source']).toBeUndefined();
        expect(JSON.stringify(http)).not.toContain(KEY);
        expect(JSON.stringify(http)).not.toContain('token');
      }),
    60_000,
  );
});
