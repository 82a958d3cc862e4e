import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  attemptSpanId,
  runSpanId,
  traceIdOfRun,
  uuidOfId,
  validateRunEvent,
  type RunEvent,
} from '../src/observe/index.js';
import { openMetaStore } from '../src/meta/index.js';
import { RunStore } from '../src/pipelines/index.js';
import { backends } from './helpers/backends.js';
import { distModule, repoRoot, runCli } from './helpers/dist.js';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';
import { killStarted, started, startUp, stopWith } from './helpers/up-process.js';

/*
 * `marketlake up` with MARKETLAKE_OTLP_ENDPOINT pointing at a local OTLP/HTTP receiver and
 * MARKETLAKE_LINEAGE_FILE set (the built CLI; `npm test` builds first): a run is one trace with
 * the run span, an attempt span per asset (resources as attributes) and lake commit spans under
 * the attempt; API requests are spans; every attempt has START and COMPLETE/FAIL lineage events
 * that pass the OpenLineage schema, with inputs, outputs, schema, statistics and assertions.
 */

const PIPELINE = `
import { asset, daily } from 'marketlake';
export const prices = asset({
  name: 'prices',
  description: 'Closing prices',
  dataset: {
    name: 'prices',
    columns: [
      { name: 'symbol', type: 'VARCHAR', nullable: false },
      { name: 'close', type: 'DOUBLE' },
    ],
    primaryKey: ['symbol'],
    partitioning: { kind: 'none' },
  },
  run: async (ctx) => {
    await ctx.lake.write('prices', { rows: [{ symbol: 'AAA', close: 10 }, { symbol: 'BBB', close: 20 }] });
  },
  checks: [{ name: 'positive_close', sql: 'SELECT * FROM prices WHERE close <= 0' }],
});
export const doubled = asset({
  name: 'doubled',
  deps: ['prices'],
  sql: 'SELECT symbol, close * 2 AS close2 FROM prices',
});
export const daily_px = asset({
  name: 'daily_px',
  partitions: daily({ start: '2024-01-01', end: '2024-01-04' }),
  run: () => new Promise((r) => setTimeout(r, 1000)),
});
export const broken = asset({
  name: 'broken',
  retry: { maxAttempts: 1 },
  run: () => { throw new Error('broken on purpose'); },
});
`;

let project: string;
let home: string;
let receiver: OtlpReceiver;

beforeEach(async () => {
  project = makeTempDir();
  home = path.join(project, 'home');
  mkdirSync(path.join(project, 'pipelines'));
  writeFileSync(path.join(project, 'pipelines', 'market.ts'), PIPELINE);
  receiver = await startOtlpReceiver();
});

afterEach(async () => {
  killStarted();
  await receiver.close();
  removeDir(project);
});

async function submit(url: string, assets: string[]): Promise<string> {
  const res = await fetch(`${url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ assets }),
  });
  expect(res.status).toBe(201);
  const runId = String(((await res.json()) as { id: string }).id);
  for (;;) {
    const run = (await (await fetch(`${url}/api/runs/${runId}`)).json()) as { state: string };
    if (['succeeded', 'failed', 'canceled'].includes(run.state)) return runId;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('traces and lineage from a running platform', () => {
  it('exports a run as a trace and every attempt as OpenLineage events', async () => {
    const lineageFile = path.join(project, 'lineage', 'events.jsonl');
    const up = await startUp(project, home, {
      MARKETLAKE_OTLP_ENDPOINT: receiver.url,
      // Every API request gets a span (the default traces one plain request in ten).
      MARKETLAKE_OTLP_HTTP_SAMPLE_EVERY: '1',
      MARKETLAKE_LINEAGE_FILE: lineageFile,
      MARKETLAKE_LINEAGE_NAMESPACE: 'desk',
    });
    let runId = '';
    let failedRun = '';
    try {
      expect(up.output().stdout).toContain(`traces:   ${receiver.url}/v1/traces`);
      expect(up.output().stdout).toContain(`lineage:  ${lineageFile}`);
      runId = await submit(up.url, ['prices', 'doubled']);
      failedRun = await submit(up.url, ['broken']);
    } finally {
      await stopWith(up, 'SIGTERM');
    }

    // Traces: the run span is the root, attempts its children, commits the attempts' children.
    const traceId = traceIdOfRun(runId);
    const inRun = receiver.spans.filter((s) => s.traceId === traceId);
    const root = inRun.find((s) => s.spanId === runSpanId(runId));
    expect(root).toMatchObject({
      name: 'RUN manual',
      parentSpanId: undefined,
      statusCode: 0,
      attributes: { 'cicd.pipeline.run.id': runId, 'cicd.pipeline.result': 'success' },
    });
    const attempts = inRun.filter((s) => s.parentSpanId === runSpanId(runId));
    expect(attempts.map((s) => s.name).sort()).toEqual(['doubled', 'prices']);
    const prices = attempts.find((s) => s.name === 'prices')!;
    expect(prices.attributes).toMatchObject({
      'cicd.pipeline.name': 'prices',
      'cicd.pipeline.task.run.result': 'success',
      'marketlake.exit_reason': 'OK',
    });
    expect(Number(prices.attributes['marketlake.peak_rss_bytes'])).toBeGreaterThan(1e6);
    expect(Number(prices.attributes['marketlake.wall_seconds'])).toBeGreaterThan(0);
    const attemptId = String(prices.attributes['cicd.pipeline.task.run.id']);
    expect(prices.spanId).toBe(attemptSpanId(attemptId));
    expect(prices.startMs).toBeGreaterThanOrEqual(root!.startMs);
    expect(prices.endMs).toBeLessThanOrEqual(root!.endMs);
    const commits = inRun.filter((s) => s.parentSpanId === prices.spanId);
    expect(commits.map((s) => s.name)).toContain('lake.commit prices');
    expect(commits.find((s) => s.name === 'lake.commit prices')?.attributes).toMatchObject({
      'marketlake.dataset': 'prices',
      'marketlake.rows_added': 2,
    });
    const failed = receiver.spans.filter((s) => s.traceId === traceIdOfRun(failedRun));
    expect(failed.find((s) => s.name === 'broken')).toMatchObject({
      statusCode: 2,
      statusMessage: 'broken on purpose',
      attributes: { 'cicd.pipeline.task.run.result': 'failure' },
    });
    expect(failed.find((s) => s.name === 'RUN manual')?.statusCode).toBe(2);
    const api = receiver.spans.filter((s) => s.kind === 2);
    expect(api.map((s) => s.name)).toContain('POST /api/runs');
    expect(api.map((s) => s.name)).toContain('GET /api/runs/:id');
    expect(new Set(receiver.spans.map((s) => s.service))).toEqual(new Set(['marketlake']));

    // Lineage: START then COMPLETE/FAIL per attempt, all valid against the schema.
    const events = readFileSync(lineageFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunEvent);
    for (const e of events) expect(validateRunEvent(e), JSON.stringify(e)).toEqual([]);
    const byJob = (job: string) => events.filter((e) => e.job.name === job);
    expect(byJob('prices').map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    expect(byJob('doubled').map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    expect(byJob('broken').map((e) => e.eventType)).toEqual(['START', 'FAIL']);
    const [start, complete] = byJob('prices');
    expect(start?.run.runId).toBe(uuidOfId(attemptId));
    expect(complete?.run.runId).toBe(uuidOfId(attemptId));
    expect(complete?.job).toMatchObject({ namespace: 'desk', name: 'prices' });
    expect(complete?.run.facets?.['parent']).toMatchObject({ run: { runId: uuidOfId(runId) } });
    const out = complete?.outputs[0];
    expect(out?.name).toBe('prices');
    expect(out?.facets?.['schema']).toMatchObject({
      fields: [
        { name: 'symbol', type: 'VARCHAR' },
        { name: 'close', type: 'DOUBLE' },
      ],
    });
    expect(out?.outputFacets?.['outputStatistics']).toMatchObject({ rowCount: 2 });
    expect(Number(out?.outputFacets?.['outputStatistics']?.['size'])).toBeGreaterThan(0);
    expect(out?.facets?.['dataQualityAssertions']).toMatchObject({
      assertions: [{ assertion: 'positive_close', success: true }],
    });
    const doubledDone = byJob('doubled')[1];
    expect(doubledDone?.inputs.map((i) => i.name)).toEqual(['prices']);
    expect(doubledDone?.outputs.map((o) => o.name)).toEqual(['doubled']);
    expect(byJob('broken')[1]?.run.facets?.['errorMessage']).toMatchObject({
      message: 'broken on purpose',
    });
  });
});

const pg = backends.find((b) => b.name === 'postgres');

describe.skipIf(pg === undefined || pg.skip)('traces and lineage from cluster workers', () => {
  it('puts the attempts of two workers in one trace per run', async () => {
    const url = pg!.url(project);
    const lineageFile = path.join(project, 'lineage.jsonl');
    const env = {
      MARKETLAKE_HOME: home,
      MARKETLAKE_DATABASE_URL: url,
      MARKETLAKE_DUCKDB_THREADS: '1',
      MARKETLAKE_OTLP_ENDPOINT: receiver.url,
      MARKETLAKE_LINEAGE_FILE: lineageFile,
    };
    try {
      distModule('cli/main.js');
      const workers: ChildProcess[] = [0, 1].map(() => {
        const child = spawn(
          process.execPath,
          [
            path.join(repoRoot, 'bin/marketlake.js'),
            'worker',
            '--slots',
            '1',
            '--project',
            project,
          ],
          { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        started.push(child);
        return child;
      });
      // Both idle before the run exists, so the attempts spread over the two.
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              let out = '';
              w.stdout?.setEncoding('utf8').on('data', (d: string) => {
                out += d;
                if (out.includes('is running')) resolve();
              });
              w.once('exit', (code) => reject(new Error(`worker exited (${code}): ${out}`)));
            }),
        ),
      );
      const submitted = await runCli(
        ['run', 'daily_px', '--from', '2024-01-01', '--to', '2024-01-04', '--project', project],
        { env },
      );
      expect(submitted.code, submitted.stderr).toBe(0);
      const runId = submitted.stdout.split('\n')[0] ?? '';
      const meta = await openMetaStore(url);
      try {
        const store = new RunStore(meta);
        for (let i = 0; ; i++) {
          const run = await store.getRun(runId);
          if (['succeeded', 'failed', 'canceled'].includes(run.state)) {
            expect(run.state).toBe('succeeded');
            break;
          }
          if (i > 600) throw new Error('the run did not end in 60 s');
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await meta.close();
      }
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once('exit', () => resolve());
              w.kill('SIGTERM');
            }),
        ),
      );
      const inRun = receiver.spans.filter((s) => s.traceId === traceIdOfRun(runId));
      const attempts = inRun.filter((s) => s.parentSpanId === runSpanId(runId));
      expect(attempts.map((s) => s.attributes['marketlake.partition']).sort()).toEqual([
        '2024-01-01',
        '2024-01-02',
        '2024-01-03',
        '2024-01-04',
      ]);
      expect(inRun.filter((s) => s.spanId === runSpanId(runId))).toHaveLength(1);
      expect(new Set(inRun.map((s) => s.service))).toEqual(new Set(['marketlake-worker']));
      for (const a of attempts) expect(String(a.attributes['cicd.worker.id'])).not.toBe('');
      expect(new Set(attempts.map((a) => a.attributes['cicd.worker.id'])).size).toBe(2);
      const events = readFileSync(lineageFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as RunEvent);
      for (const e of events) expect(validateRunEvent(e)).toEqual([]);
      expect(events.filter((e) => e.eventType === 'START')).toHaveLength(4);
      expect(events.filter((e) => e.eventType === 'COMPLETE')).toHaveLength(4);
    } finally {
      await pg!.cleanup(url);
    }
  }, 120_000);
});
