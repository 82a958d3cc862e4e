import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { withLake, type LakeFixture } from '../../../test/helpers/with-lake.js';
import { createLogger } from '../../core/index.js';
import { RunStore } from '../runs/index.js';
import { PipelinesRuntime } from './pipelines-runtime.js';
import { ProjectHolder } from './project-holder.js';

const PIPELINE = `
import { asset, daily, inbox, schedule } from 'marketlake';
import { readFileSync } from 'node:fs';

export const prices = asset({
  name: 'prices',
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
    ctx.log.info('writing prices');
    await ctx.lake.write('prices', { rows: [{ symbol: 'AAA', close: 10 }, { symbol: 'BBB', close: 20 }] });
  },
});

export const doubled = asset({
  name: 'doubled',
  deps: ['prices'],
  sql: 'SELECT symbol, close * 2 AS close2 FROM prices',
});

export const script = asset({
  name: 'script',
  deps: ['doubled'],
  command: 'echo "asset=$MARKETLAKE_ASSET run=$MARKETLAKE_RUN_ID"',
});

export const flaky = asset({
  name: 'flaky',
  retry: { maxAttempts: 2, initialDelayMs: 10 },
  run: () => { throw new Error('upstream API said no'); },
});
export const after_flaky = asset({ name: 'after_flaky', deps: ['flaky'], run: () => 1 });

export const sleepy = asset({
  name: 'sleepy',
  run: () => new Promise((resolve) => setTimeout(resolve, 60_000)),
});

export const days = asset({
  name: 'days',
  partitions: daily({ start: '2024-01-01', end: '2024-01-31' }),
  run: (ctx) => ctx.log.info('day ' + ctx.partition),
});
export const day_summary = asset({ name: 'day_summary', deps: ['days'], run: () => 1 });

export const files = asset({
  name: 'files',
  run: (ctx) => ctx.log.info('got ' + readFileSync(ctx.file!, 'utf8').trim()),
});
export const drop = inbox('inbox', { pattern: '*.csv', select: 'files', stableMs: 1, every: 1 });

export const minutely = schedule({ name: 'minutely', cron: '* * * * *', timezone: 'UTC', select: 'prices' });
export const limited = schedule({
  name: 'limited',
  cron: '*/5 * * * *',
  timezone: 'UTC',
  select: 'sleepy',
  maxActiveRuns: 1,
});
`;

async function withRuntime(
  fx: LakeFixture,
  fn: (rt: PipelinesRuntime, projectDir: string) => Promise<void>,
): Promise<void> {
  const projectDir = path.join(fx.dir, 'project');
  mkdirSync(path.join(projectDir, 'pipelines'), { recursive: true });
  writeFileSync(path.join(projectDir, 'pipelines', 'all.ts'), PIPELINE);
  const project = await ProjectHolder.load(projectDir);
  expect(project.current().loaded.diagnostics).toEqual([]);
  await fx.lake.createDataset({
    name: 'prices',
    columns: [
      { name: 'symbol', type: 'VARCHAR', nullable: false },
      { name: 'close', type: 'DOUBLE' },
    ],
    primaryKey: ['symbol'],
    partitioning: { kind: 'none' },
  });
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
    worker: { slots: 2, pollMs: 50 },
    scheduler: { tickMs: 60_000 },
  });
  try {
    await fn(runtime, projectDir);
  } finally {
    await runtime.stop(1000);
  }
}

describe.each(backends)('pipelines runtime on $name', (backend) => {
  /** A test with a fresh lake and a started runtime on `backend`. */
  const runtimeIt = (
    name: string,
    fn: (rt: PipelinesRuntime, projectDir: string, fx: LakeFixture) => Promise<void>,
  ): void => {
    it.skipIf(backend.skip)(
      name,
      () => withLake(backend, (fx) => withRuntime(fx, (rt, dir) => fn(rt, dir, fx))),
      60_000,
    );
  };

  runtimeIt(
    'runs a TypeScript asset, a SQL asset and a command in dependency order, measured and logged',
    async (rt, _projectDir, fx) => {
      const { runId } = await rt.submit({ assets: ['prices', 'doubled', 'script'] });
      const run = await rt.waitForRun(runId);
      expect(run.state).toBe('succeeded');
      expect(run.attempts.map((a) => a.asset)).toEqual(['prices', 'doubled', 'script']);
      for (const a of run.attempts) {
        expect(a.exitReason).toBe('OK');
        expect(a.wallSeconds).toBeGreaterThan(0);
      }
      // The TypeScript and SQL attempts run in a worker process, whose peak is its VmHWM.
      for (const a of run.attempts.slice(0, 2))
        expect(Number(a.peakRssBytes), JSON.stringify(a)).toBeGreaterThan(1024 * 1024);
      // Rows written through ctx.lake count without ctx.reportRows; the SQL asset's too.
      expect(run.attempts[0]?.rowsWritten).toBe('2');
      expect(run.attempts[1]?.rowsWritten).toBe('2');
      const rows = await fx.lake.query('SELECT symbol, close2 FROM doubled ORDER BY symbol');
      expect(rows.rows).toEqual([
        { symbol: 'AAA', close2: 20 },
        { symbol: 'BBB', close2: 40 },
      ]);
      const scriptLog = await rt.store.readLogs(run.attempts[2]?.id ?? '');
      expect(scriptLog.lines.map((l) => l.line)).toContain(`asset=script run=${runId}`);
      const pricesLog = await rt.store.readLogs(run.attempts[0]?.id ?? '');
      expect(pricesLog.lines.map((l) => l.line)).toContain('writing prices');
    },
  );

  runtimeIt(
    'retries a failing asset, then fails it and marks its downstream upstream_failed',
    async (rt) => {
      const { runId } = await rt.submit({ assets: ['flaky', 'after_flaky'] });
      const run = await rt.waitForRun(runId);
      expect(run.state).toBe('failed');
      const flaky = run.attempts.filter((a) => a.asset === 'flaky');
      expect(flaky.map((a) => a.state)).toEqual(['failed', 'failed']);
      expect(flaky[1]?.error?.message).toContain('upstream API said no');
      expect(run.tasks).toEqual({ total: 2, finished: 2, unsuccessful: 2 });
      const after = run.attempts.find((a) => a.asset === 'after_flaky');
      expect(after?.state).toBe('upstream_failed');
      const retried = await rt.retry(runId);
      expect((await rt.waitForRun(retried.runId)).state).toBe('failed');
    },
  );

  runtimeIt('cancels a running run and kills its process', async (rt) => {
    const { runId } = await rt.submit({ assets: ['sleepy'] });
    while ((await rt.store.getRun(runId)).attempts[0]?.state !== 'running')
      await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await rt.cancel(runId, 'test cancel');
    const run = await rt.waitForRun(runId);
    expect(run.state).toBe('canceled');
    while (rt.runningAttempts > 0) await new Promise((r) => setTimeout(r, 20));
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  runtimeIt(
    'backfills a partition range with its downstream asset, previewed first',
    async (rt) => {
      const request = {
        assets: ['days'],
        from: '2024-01-05',
        to: '2024-01-14',
        downstream: true,
      };
      const preview = rt.previewBackfill(request);
      expect(preview.assets).toEqual([
        { asset: 'days', partitions: 10, first: '2024-01-05', last: '2024-01-14' },
        { asset: 'day_summary', partitions: 1, first: null, last: null },
      ]);
      const { backfillId } = await rt.backfill(request);
      for (;;) {
        const b = await rt.store.getBackfill(backfillId);
        if (b.state === 'succeeded' || b.state === 'failed') {
          expect(b.state).toBe('succeeded');
          expect(b.progress.done).toBe(11);
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const status = await rt.store.listPartitionStatus('days', { state: 'succeeded' });
      expect(status.items.map((i) => i.index)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    },
  );

  runtimeIt(
    'fires a schedule tick once, and hands an inbox file to a run, then archives it',
    async (rt, projectDir) => {
      const t0 = Date.parse('2026-11-25T10:00:30Z');
      await rt.tick(t0); // first look: the cursor starts now, nothing is due
      expect((await rt.store.listRuns({ kind: 'schedule' })).runs).toHaveLength(0);
      await rt.tick(t0 + 60_000);
      await rt.tick(t0 + 61_000); // the same tick is not fired twice
      const scheduled = (await rt.store.listRuns({ kind: 'schedule' })).runs;
      expect(scheduled).toHaveLength(1);
      expect(scheduled[0]?.job).toBe('minutely');

      mkdirSync(path.join(projectDir, 'inbox'), { recursive: true });
      writeFileSync(path.join(projectDir, 'inbox', 'bars.csv'), 'hello\n');
      await rt.tick(Date.now() + 5);
      const sensorRuns = (await rt.store.listRuns({ kind: 'sensor' })).runs;
      expect(sensorRuns).toHaveLength(1);
      const run = await rt.waitForRun(sensorRuns[0]?.id ?? '');
      expect(run.state).toBe('succeeded');
      const log = await rt.store.readLogs(run.attempts[0]?.id ?? '');
      expect(log.lines.map((l) => l.line)).toContain('got hello');
      await rt.tick(Date.now() + 10);
      const archive = path.join(projectDir, 'inbox', 'archive');
      const day = new Date(Date.now() + 10).toISOString().slice(0, 10).split('-');
      expect(readdirSync(path.join(archive, ...day))).toEqual(['bars.csv']);
      expect(existsSync(path.join(projectDir, 'inbox', 'bars.csv'))).toBe(false);
      expect(readFileSync(path.join(archive, ...day, 'bars.csv'), 'utf8')).toBe('hello\n');
    },
  );

  runtimeIt('skips a schedule tick while maxActiveRuns runs of it are active', async (rt) => {
    const t0 = Date.parse('2026-11-25T10:01:00Z');
    await rt.tick(t0);
    await rt.tick(t0 + 5 * 60_000);
    await rt.tick(t0 + 10 * 60_000);
    const runs = (await rt.store.listRuns({ kind: 'schedule' })).runs.filter(
      (r) => r.job === 'limited',
    );
    expect(runs).toHaveLength(1);
    await rt.cancel(runs[0]?.id ?? '');
    await rt.tick(t0 + 15 * 60_000);
    const after = (await rt.store.listRuns({ kind: 'schedule' })).runs.filter(
      (r) => r.job === 'limited',
    );
    expect(after).toHaveLength(2);
    await rt.cancel(after[0]?.id ?? '');
  });
});
