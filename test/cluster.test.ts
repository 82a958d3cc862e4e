import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lake } from '../src/lake/index.js';
import { openMetaStore, type MetaStore } from '../src/meta/index.js';
import { RunStore } from '../src/pipelines/index.js';
import { backends } from './helpers/backends.js';
import { distModule, repoRoot, runCli } from './helpers/dist.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';
import { killStarted, startUp, started } from './helpers/up-process.js';

/*
 * Cluster mode with real processes on one PostgreSQL: three `marketlake worker`s share a run of
 * 24 partitions; one is killed with SIGKILL while it runs attempts. Its attempts are re-queued
 * after the lease and finish elsewhere: the run succeeds, every partition is in the lake exactly
 * once, every task has exactly one successful attempt. Then two schedulers: one is active, and
 * when it is killed the other takes over.
 */

const pg = backends.find((b) => b.name === 'postgres');
if (pg === undefined) throw new Error('the postgres backend is missing from test/helpers/backends');

const PIPELINE = `
import { asset, daily } from 'marketlake';
export const work = asset({
  name: 'work',
  dataset: {
    name: 'work_out',
    columns: [
      { name: 'day', type: 'VARCHAR', nullable: false },
      { name: 'pid', type: 'BIGINT' },
    ],
    primaryKey: ['day'],
    partitioning: { kind: 'none' },
  },
  partitions: daily({ start: '2024-01-01', end: '2024-01-24' }),
  retry: { maxAttempts: 1 },
  run: async (ctx) => {
    await new Promise((r) => setTimeout(r, 1500));
    await ctx.lake.write('work_out', { rows: [{ day: ctx.partition, pid: process.pid }] });
  },
});
`;

let project: string;
let home: string;
let url: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  project = makeTempDir();
  home = path.join(project, 'home');
  mkdirSync(path.join(project, 'pipelines'));
  writeFileSync(path.join(project, 'pipelines', 'work.ts'), PIPELINE);
  url = pg.url(project);
  env = {
    MARKETLAKE_HOME: home,
    MARKETLAKE_DATABASE_URL: url,
    MARKETLAKE_ATTEMPT_LEASE_MS: '3000',
    MARKETLAKE_DUCKDB_THREADS: '1',
  };
});

afterEach(async () => {
  killStarted();
  await pg.cleanup(url);
  removeDir(project);
});

function startWorker(): ChildProcess {
  distModule('cli/main.js');
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin/marketlake.js'), 'worker', '--slots', '2', '--project', project],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.push(child);
  return child;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(pg.skip)('cluster mode on PostgreSQL', () => {
  it('loses and duplicates nothing when a worker is killed mid-attempt', async () => {
    // The first CLI call migrates the schema and registers the datasets the assets declare.
    const submitted = await runCli(
      ['run', 'work', '--from', '2024-01-01', '--to', '2024-01-24', '--project', project],
      { env },
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = submitted.stdout.split('\n')[0] ?? '';
    const workers = [startWorker(), startWorker(), startWorker()];
    let meta: MetaStore | undefined;
    try {
      meta = await openMetaStore(url);
      const store = new RunStore(meta, { leaseMs: 3000 });
      const victim = workers[0];
      // Kill the first worker once it is running attempts (its pid shows in the workers table).
      const busy = await until('the victim to run attempts', async () => {
        const run = await store.getRun(runId);
        const mine = (await store.listWorkers()).find((w) => w.pid === victim?.pid);
        if (mine === undefined) return undefined;
        const running = run.attempts.filter((a) => a.state === 'running' && a.workerId === mine.id);
        return running.length > 0 ? running : undefined;
      });
      victim?.kill('SIGKILL');
      const done = await until('the run to end', async () => {
        const run = await store.getRun(runId);
        return ['succeeded', 'failed', 'canceled'].includes(run.state) ? run : undefined;
      });
      expect(done.state).toBe('succeeded');
      const lost = done.attempts.filter((a) => busy.some((b) => b.id === a.id));
      expect(lost.every((a) => a.state === 'lost')).toBe(true);
      const byPartition = new Map<string, string[]>();
      for (const a of done.attempts)
        byPartition.set(a.partition ?? '', [
          ...(byPartition.get(a.partition ?? '') ?? []),
          a.state,
        ]);
      expect(byPartition.size).toBe(24);
      for (const states of byPartition.values())
        expect(states.filter((s) => s === 'succeeded')).toHaveLength(1);
      const lake = await Lake.open({ store: meta, root: path.join(home, 'lake'), threads: 1 });
      try {
        const rows = await lake.query(
          'SELECT count(*) AS n, count(DISTINCT day) AS days FROM work_out',
        );
        expect(rows.rows[0]).toEqual({ n: '24', days: '24' });
      } finally {
        lake.close();
      }
    } finally {
      await meta?.close();
    }
  }, 180_000);

  it('keeps one scheduler active and fails over when it dies', async () => {
    const first = await startUp(project, home, env, ['--role', 'scheduler']);
    const health = async (u: string) =>
      ((await (await fetch(`${u}/api/health`)).json()) as { pipelines: { scheduler: string } })
        .pipelines.scheduler;
    await until('the first scheduler to be active', async () =>
      (await health(first.url)) === 'active' ? true : undefined,
    );
    const second = await startUp(project, home, env, ['--role', 'scheduler']);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await health(second.url)).toBe('standby');
    first.child.kill('SIGKILL');
    const t0 = Date.now();
    await until('the second scheduler to take over', async () =>
      (await health(second.url)) === 'active' ? true : undefined,
    );
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 120_000);
});
