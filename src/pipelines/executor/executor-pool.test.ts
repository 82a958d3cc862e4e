import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import type { AttemptLogLine, AttemptResult } from './attempt-result.js';
import { ExecutorPool } from './executor-pool.js';

/** Writes `files` (path relative to the project -> lines) into `dir`. */
function writeProject(dir: string, files: Record<string, string[]>): void {
  for (const [name, lines] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), lines.join('\n') + '\n');
  }
}

const MIB = 1024 * 1024;

/** A run attempt of an asset of `pipelines/work.ts` in project `dir` (add `asset`). */
const runRequest = (dir: string) =>
  ({ kind: 'run', runId: 'r', projectDir: dir, file: 'pipelines/work.ts' }) as const;

const PIPELINE = [
  "import { asset } from 'marketlake';",
  "import type { AssetContext } from 'marketlake';",
  "import { openSync, writeSync, fsyncSync, closeSync } from 'node:fs';",
  '',
  '/** Holds 300 MiB, every page touched, until the task returns. */',
  'export const big = asset({',
  "  name: 'big_alloc',",
  '  run: async () => {',
  '    const buffer = Buffer.allocUnsafe(300 * 1024 * 1024);',
  '    for (let i = 0; i < buffer.length; i += 4096) buffer[i] = 1;',
  '    await new Promise((resolve) => setTimeout(resolve, 100));',
  '    return buffer.length;',
  '  },',
  '});',
  '',
  '/** Burns 1 s of CPU as the process itself counts it. */',
  'export const burn = asset({',
  "  name: 'burn_cpu',",
  '  run: () => {',
  '    const start = process.cpuUsage();',
  '    let x = 0;',
  '    for (;;) {',
  '      for (let i = 0; i < 1e5; i++) x += Math.sqrt(i + x);',
  '      const used = process.cpuUsage(start);',
  '      if (used.user + used.system >= 1e6) break;',
  '    }',
  '    return x;',
  '  },',
  '});',
  '',
  'export const small = asset({ name: "small", run: () => 1 });',
  '',
  '/** Keeps 300 MiB in a module-level variable: memory the worker holds after the attempt. */',
  'let hoard: Buffer | undefined;',
  'export const hoarder = asset({',
  "  name: 'hoarder',",
  '  run: () => {',
  '    hoard = Buffer.alloc(300 * 1024 * 1024, 1);',
  '    return hoard.length;',
  '  },',
  '});',
  '',
  'export const chatty = asset({',
  "  name: 'chatty',",
  '  run: async (ctx: AssetContext) => {',
  "    ctx.log.info('one', { step: 1 });",
  "    console.log('two');",
  "    ctx.log.warn('three');",
  "    console.error('four');",
  "    ctx.log.debug('five');",
  "    ctx.log.info(`key is ${ctx.secret('api_key')}`);",
  "    ctx.addMetadata({ source: 'test', partition: ctx.partition, attempt: ctx.attempt });",
  '    ctx.addMetadata({ runId: ctx.runId });',
  '    ctx.reportRows(10);',
  '    ctx.reportRows(5);',
  '  },',
  '});',
  '',
  'export const lakeUser = asset({',
  "  name: 'lake_user',",
  '  run: (ctx: AssetContext) => {',
  '    const lake = ctx.lake as unknown as { name: string; lakePath: string };',
  '    ctx.addMetadata({ lake: lake.name, lakePath: lake.lakePath });',
  '  },',
  '});',
  '',
  'export const missingSecret = asset({',
  "  name: 'missing_secret',",
  "  run: (ctx: AssetContext) => ctx.secret('nope'),",
  '});',
  '',
  'export const writer = asset({',
  "  name: 'writer',",
  '  run: (ctx: AssetContext) => {',
  "    const fd = openSync(`${ctx.partition}`, 'w');",
  '    writeSync(fd, Buffer.alloc(16 * 1024 * 1024, 7));',
  '    fsyncSync(fd);',
  '    closeSync(fd);',
  '  },',
  '});',
  '',
  '// Generated in a loop and exported in an array, found by name all the same.',
  "export const generated = ['gen_a', 'gen_b'].map((name) => asset({ name, run: () => name }));",
];

const LAKE_FACTORY = [
  "import { writeFileSync } from 'node:fs';",
  'export function createLake(input) {',
  '  return {',
  "    lake: { name: 'fake-lake', lakePath: input.lakePath },",
  "    release: () => writeFileSync(input.lakePath + '/released', input.asset),",
  '  };',
  '}',
];

// Workers started from TypeScript sources on a cold compile cache take a while on a busy CI box.
const START_TIMEOUT_MS = 120_000;

describe('executor pool: run tasks', { timeout: START_TIMEOUT_MS }, () => {
  let dir: string;
  let pool: ExecutorPool;
  const logs: AttemptLogLine[] = [];

  beforeAll(async () => {
    dir = makeTempDir();
    writeProject(dir, { 'pipelines/work.ts': PIPELINE, 'lake-factory.mjs': LAKE_FACTORY });
    pool = await ExecutorPool.start({
      slots: 1,
      lakeFactory: { module: path.join(dir, 'lake-factory.mjs') },
      onLog: (line) => logs.push(line),
    });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await pool?.close();
    removeDir(dir);
  });

  const run = (asset: string, extra: Record<string, unknown> = {}): Promise<AttemptResult> =>
    pool.execute({
      kind: 'run',
      runId: 'run_1',
      asset,
      projectDir: dir,
      file: 'pipelines/work.ts',
      lakePath: dir,
      ...extra,
    }).result;

  it('measures the peak RSS of a task that allocates 300 MiB', async () => {
    const result = await run('big_alloc');
    expect(result.exitReason).toBe('OK');
    const peakMib = result.usage.peakRssBytes / MIB;
    console.info(`300 MiB task: peak ${peakMib.toFixed(1)} MiB`);
    expect(peakMib).toBeGreaterThanOrEqual(300);
    expect(peakMib).toBeLessThanOrEqual(400);
  });

  it('resets the peak between attempts on the same warm worker', async () => {
    const first = await run('big_alloc');
    const second = await run('small');
    expect(pool.reusesWorkers).toBe(true);
    expect(second.workerPid).toBe(first.workerPid);
    const peakMib = second.usage.peakRssBytes / MIB;
    console.info(`after a 300 MiB attempt, same worker: peak ${peakMib.toFixed(1)} MiB`);
    expect(first.usage.peakRssBytes / MIB).toBeGreaterThanOrEqual(300);
    expect(peakMib).toBeGreaterThan(10);
    expect(peakMib).toBeLessThan(150);
  });

  it('measures the CPU of a task that burns 1 s, not the worker lifetime', async () => {
    await run('small'); // the worker has a CPU history before the attempt
    const result = await run('burn_cpu');
    const { cpuUserSeconds, cpuSystemSeconds } = result.usage;
    const cpu = cpuUserSeconds + cpuSystemSeconds;
    console.info(`1 s CPU task: user ${cpuUserSeconds} s + system ${cpuSystemSeconds} s`);
    expect(cpu).toBeGreaterThanOrEqual(0.9);
    expect(cpu).toBeLessThanOrEqual(1.2);
    expect(result.usage.wallSeconds).toBeGreaterThan(0);
    const idle = await run('small');
    expect(idle.usage.cpuUserSeconds + idle.usage.cpuSystemSeconds).toBeLessThan(0.3);
  });

  it('gives ctx logs, metadata, rows and secrets; console output joins the log in order', async () => {
    const mine: AttemptLogLine[] = [];
    const result = await run('chatty', {
      partition: '2024-01-02',
      attempt: 2,
      secrets: { api_key: 's3cr3t-value' },
      onLog: (line: AttemptLogLine) => mine.push(line),
    });
    expect(result.exitReason).toBe('OK');
    expect(result.error).toBeUndefined();
    expect(result.usage.rowsWritten).toBe(15);
    expect(result.metadata).toEqual({
      source: 'test',
      partition: '2024-01-02',
      attempt: 2,
      runId: 'run_1',
    });
    expect(mine.map((l) => [l.level, l.stream, l.message])).toEqual([
      ['info', 'log', 'one'],
      ['info', 'stdout', 'two'],
      ['warn', 'log', 'three'],
      ['warn', 'stderr', 'four'],
      ['debug', 'log', 'five'],
      ['info', 'log', 'key is [redacted]'],
    ]);
    expect(mine[0]?.fields).toEqual({ step: 1 });
    expect(mine.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const line of mine) {
      expect(line.attemptId).toBe(result.attemptId);
      expect(Math.abs(line.timeMs - Date.now())).toBeLessThan(60_000);
    }
    expect(logs.filter((l) => l.attemptId === result.attemptId)).toEqual(mine);
  });

  it('fails with PIPELINES_SECRET_MISSING for a secret it was not given', async () => {
    const result = await run('missing_secret', { secrets: { other: 'x' } });
    expect(result.exitReason).toBe('ERROR');
    expect(result.error?.code).toBe('PIPELINES_SECRET_MISSING');
    expect(result.error?.message).toMatch(/Secret "nope" is not set/);
  });

  it('builds ctx.lake with the factory and releases it after the attempt', async () => {
    const result = await run('lake_user');
    expect(result.exitReason).toBe('OK');
    expect(result.metadata).toEqual({ lake: 'fake-lake', lakePath: dir });
    expect(readFileSync(path.join(dir, 'released'), 'utf8')).toBe('lake_user');
  });

  it('counts bytes written to storage', async () => {
    const target = path.join(dir, 'written.bin');
    const result = await run('writer', { partition: target });
    expect(result.exitReason).toBe('OK');
    expect(existsSync(target)).toBe(true);
    console.info(`16 MiB write: write_bytes ${result.usage.bytesWritten}`);
    expect(result.usage.bytesWritten).toBeGreaterThanOrEqual(16 * MIB);
    expect(result.usage.writeChars).toBeGreaterThanOrEqual(16 * MIB);
  });

  it('finds assets generated in a loop, and searches the project when no file is given', async () => {
    expect((await run('gen_b')).exitReason).toBe('OK');
    const searched = await pool.execute({
      kind: 'run',
      runId: 'run_1',
      asset: 'gen_a',
      projectDir: dir,
      lakePath: dir,
    }).result;
    expect(searched.error).toBeUndefined();
    expect(searched.exitReason).toBe('OK');
    const unknown = await run('no_such_asset');
    expect(unknown.exitReason).toBe('ERROR');
    expect(unknown.error?.code).toBe('PIPELINES_UNKNOWN_ASSET');
  });

  it('reports queue time from enqueuedAt', async () => {
    const result = await run('small', { enqueuedAt: Date.now() - 5_000 });
    expect(result.usage.queueSeconds).toBeGreaterThanOrEqual(5);
    expect(result.startedAt!.getTime()).toBeGreaterThanOrEqual(result.enqueuedAt.getTime());
    expect(result.finishedAt.getTime()).toBeGreaterThanOrEqual(result.startedAt!.getTime());
  });
});

describe(
  'executor pool: fresh worker per attempt (the fallback without clear_refs)',
  { timeout: START_TIMEOUT_MS },
  () => {
    let dir: string;
    let pool: ExecutorPool;

    beforeAll(async () => {
      dir = makeTempDir();
      writeProject(dir, { 'pipelines/work.ts': PIPELINE });
      pool = await ExecutorPool.start({ slots: 1, reuseWorkers: false });
    }, START_TIMEOUT_MS);

    afterAll(async () => {
      await pool?.close();
      removeDir(dir);
    });

    it('runs each attempt on a new worker, so a peak never carries over', async () => {
      const request = runRequest(dir);
      const big = await pool.execute({ ...request, asset: 'big_alloc' }).result;
      const small = await pool.execute({ ...request, asset: 'small' }).result;
      expect(pool.reusesWorkers).toBe(false);
      expect(big.exitReason).toBe('OK');
      expect(small.workerPid).not.toBe(big.workerPid);
      expect(big.usage.peakRssBytes / MIB).toBeGreaterThanOrEqual(300);
      expect(small.usage.peakRssBytes / MIB).toBeLessThan(150);
    });

    it('refuses to run a command asset as a run task', async () => {
      writeProject(dir, {
        'pipelines/cmd.ts': [
          "import { asset } from 'marketlake';",
          "export const shell = asset({ name: 'shell', command: 'true' });",
        ],
      });
      const result = await pool.execute({
        kind: 'run',
        runId: 'r',
        asset: 'shell',
        projectDir: dir,
        file: 'pipelines/cmd.ts',
      }).result;
      expect(result.exitReason).toBe('ERROR');
      expect(result.error?.code).toBe('PIPELINES_TASK_UNSUPPORTED');
    });
  },
);

describe(
  'executor pool: replacing a worker after its last attempt',
  { timeout: START_TIMEOUT_MS },
  () => {
    let dir: string;
    let pool: ExecutorPool;

    beforeAll(async () => {
      dir = makeTempDir();
      writeProject(dir, { 'pipelines/work.ts': PIPELINE });
      pool = await ExecutorPool.start({
        slots: 1,
        maxAttemptsPerWorker: 2,
        maxIdleRssBytes: 250 * MIB,
      });
    }, START_TIMEOUT_MS);

    afterAll(async () => {
      await pool?.close();
      removeDir(dir);
    });

    it('starts the successor during the last attempt and never runs more than its slots', async () => {
      expect(pool.reusesWorkers).toBe(true); // Linux with /proc/<pid>/clear_refs, as in CI
      const request = runRequest(dir);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => pool.execute({ ...request, asset: 'small' }).result),
      );
      expect(results.map((r) => r.exitReason)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
      const pids = results.map((r) => r.workerPid);
      // Two attempts per worker, then its successor.
      expect(pids[1]).toBe(pids[0]);
      expect(pids[2]).not.toBe(pids[1]);
      expect(pids[3]).toBe(pids[2]);
      expect(pids[4]).not.toBe(pids[3]);
      // One slot: each attempt starts after the previous one finished.
      for (let i = 1; i < results.length; i++) {
        const previous = results[i - 1]!;
        expect(results[i]!.startedAt!.getTime()).toBeGreaterThanOrEqual(
          previous.finishedAt.getTime(),
        );
      }
      expect(pool.stats().workers).toBeLessThanOrEqual(2);
    });

    it('replaces a worker that keeps more memory than maxIdleRssBytes after an attempt', async () => {
      const request = runRequest(dir);
      const first = await pool.execute({ ...request, asset: 'small' }).result;
      const hoarder = await pool.execute({ ...request, asset: 'hoarder' }).result;
      const after = await pool.execute({ ...request, asset: 'small' }).result;
      expect([first.exitReason, hoarder.exitReason, after.exitReason]).toEqual(['OK', 'OK', 'OK']);
      expect(hoarder.workerPid).toBeDefined();
      expect(after.workerPid).not.toBe(hoarder.workerPid);
      expect(after.usage.peakRssBytes / MIB).toBeLessThan(200); // a fresh worker, not the hoard
    });
  },
);
