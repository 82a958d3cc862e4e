import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { PipelinesExecutorClosedError } from '../errors.js';
import type { RunAttemptRequest } from './attempt-request.js';
import type { AttemptLogLine, AttemptResult } from './attempt-result.js';
import { ExecutorPool, type AttemptHandle } from './executor-pool.js';

/** Writes `files` (path relative to the project -> lines) into `dir`. */
function writeProject(dir: string, files: Record<string, string[]>): void {
  for (const [name, lines] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), lines.join('\n') + '\n');
  }
}

const PIPELINE = [
  "import { asset, NonRetryableError } from 'marketlake';",
  "import type { AssetContext } from 'marketlake';",
  '',
  'const forever = (): Promise<never> => new Promise(() => setInterval(() => undefined, 1_000));',
  '',
  "export const ok = asset({ name: 'ok', run: () => undefined });",
  "export const hang = asset({ name: 'hang', run: forever });",
  '',
  'export const fails = asset({',
  "  name: 'fails',",
  '  run: (ctx: AssetContext) => {',
  "    ctx.log.info('about to fail');",
  "    throw new Error('bad input from the vendor');",
  '  },',
  '});',
  '',
  'export const refuses = asset({',
  "  name: 'refuses',",
  '  run: () => {',
  "    throw new NonRetryableError('the file is corrupt; another try cannot fix it');",
  '  },',
  '});',
  '',
  "export const exits = asset({ name: 'exits', run: () => process.exit(3) });",
  '',
  'export const throwsLater = asset({',
  "  name: 'throws_later',",
  '  run: async () => {',
  "    setTimeout(() => { throw new Error('boom outside the promise'); }, 10);",
  '    await forever();',
  '  },',
  '});',
  '',
  '/** Grows its resident set 10 MiB at a time, giving the watchdog time to look. */',
  'export const grows = asset({',
  "  name: 'grows',",
  '  run: async () => {',
  '    const blocks: Buffer[] = [];',
  '    for (let i = 0; i < 200; i++) {',
  '      blocks.push(Buffer.alloc(10 * 1024 * 1024, 1));',
  '      await new Promise((resolve) => setTimeout(resolve, 10));',
  '    }',
  '  },',
  '});',
  '',
  '/** Fills the JavaScript heap in one synchronous loop. */',
  'export const heapHog = asset({',
  "  name: 'heap_hog',",
  '  run: () => {',
  '    const keep: number[][] = [];',
  '    for (;;) keep.push(Array.from({ length: 100_000 }, (_, i) => i + 0.5));',
  '  },',
  '});',
];

// Workers started from TypeScript sources on a cold compile cache take a while on a busy CI box.
const START_TIMEOUT_MS = 120_000;

describe('executor pool: failures', { timeout: START_TIMEOUT_MS }, () => {
  let dir: string;
  let pool: ExecutorPool;

  beforeAll(async () => {
    dir = makeTempDir();
    writeProject(dir, { 'pipelines/failures.ts': PIPELINE });
    pool = await ExecutorPool.start({ slots: 2 });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await pool?.close();
    removeDir(dir);
  });

  const start = (asset: string, extra: Partial<RunAttemptRequest> = {}): AttemptHandle =>
    pool.execute({
      kind: 'run',
      runId: 'run_f',
      asset,
      projectDir: dir,
      file: 'pipelines/failures.ts',
      ...extra,
    });
  const run = (asset: string, extra: Partial<RunAttemptRequest> = {}): Promise<AttemptResult> =>
    start(asset, extra).result;

  const expectPoolWorks = async (): Promise<void> => {
    expect((await run('ok')).exitReason).toBe('OK');
  };

  it('reports a thrown error as ERROR with its stack in the log, retryable', async () => {
    const lines: AttemptLogLine[] = [];
    const result = await run('fails', { onLog: (line) => lines.push(line) });
    expect(result.exitReason).toBe('ERROR');
    expect(result.error).toMatchObject({
      name: 'Error',
      message: 'bad input from the vendor',
      retryable: true,
    });
    expect(result.error?.stack).toMatch(/failures\.ts:\d+/);
    expect(lines.map((l) => [l.level, l.stream])).toEqual([
      ['info', 'log'],
      ['error', 'system'],
    ]);
    expect(lines[1]?.message).toMatch(/^Error: bad input from the vendor\n\s+at /);
    await expectPoolWorks();
  });

  it('marks NonRetryableError as not retryable', async () => {
    const result = await run('refuses');
    expect(result.exitReason).toBe('ERROR');
    expect(result.error).toMatchObject({
      code: 'PIPELINES_NON_RETRYABLE',
      name: 'NonRetryableError',
      retryable: false,
    });
  });

  it('kills an attempt past its timeout (TIMEOUT) and the pool keeps working', async () => {
    const result = await run('hang', { timeoutMs: 800 });
    expect(result.exitReason).toBe('TIMEOUT');
    expect(result.error).toMatchObject({ code: 'PIPELINES_ATTEMPT_TIMEOUT', retryable: true });
    expect(result.usage.wallSeconds).toBeGreaterThanOrEqual(0.8);
    await expectPoolWorks();
  });

  it('reports process.exit(3) as CRASHED and replaces the worker', async () => {
    const result = await run('exits');
    expect(result.exitReason).toBe('CRASHED');
    expect(result.error?.code).toBe('PIPELINES_ATTEMPT_CRASHED');
    expect(result.error?.message).toMatch(/exited with status 3/);
    const next = await run('ok');
    expect(next.exitReason).toBe('OK');
    expect(next.workerPid).not.toBe(result.workerPid);
  });

  it('reports an uncaught exception outside the task as CRASHED with the stderr tail', async () => {
    const result = await run('throws_later');
    expect(result.exitReason).toBe('CRASHED');
    expect(result.error?.message).toMatch(/boom outside the promise/);
    await expectPoolWorks();
  });

  it('enforces resources.memoryMb with the RSS watchdog (OOM)', async () => {
    const result = await run('grows', { resources: { memoryMb: 300 } });
    expect(result.exitReason).toBe('OOM');
    expect(result.error).toMatchObject({ code: 'PIPELINES_ATTEMPT_OOM', retryable: true });
    expect(result.error?.message).toMatch(/over its memory limit of 300 MiB/);
    expect(result.usage.peakRssBytes).toBeGreaterThan(300 * 1024 * 1024);
    await expectPoolWorks();
  });

  it('reports a JavaScript heap overflow under memoryMb as OOM', async () => {
    const result = await run('heap_hog', { resources: { memoryMb: 160 } });
    expect(result.exitReason).toBe('OOM');
    expect(result.error?.code).toBe('PIPELINES_ATTEMPT_OOM');
    await expectPoolWorks();
  });

  it('cancels a running attempt (KILLED, not retryable)', async () => {
    const handle: AttemptHandle = start('hang', {
      onStart: () => setTimeout(() => handle.cancel(), 200),
    });
    const result = await handle.result;
    expect(result.exitReason).toBe('KILLED');
    expect(result.error).toMatchObject({ code: 'PIPELINES_ATTEMPT_KILLED', retryable: false });
    expect(result.startedAt).toBeDefined();
    await expectPoolWorks();
  });

  it('cancels a queued attempt without starting it, and runs higher priorities first', async () => {
    await pool.whenIdle();
    const order: string[] = [];
    const busy = [start('hang'), start('hang')];
    const low = start('ok', { priority: -1, onStart: () => order.push('low') });
    const high = start('ok', { priority: 5, onStart: () => order.push('high') });
    const dropped = start('ok');
    expect(pool.stats()).toMatchObject({ running: 2, queued: 3 });
    expect(pool.cancel(dropped.attemptId)).toBe(true);
    const droppedResult = await dropped.result;
    expect(droppedResult.exitReason).toBe('KILLED');
    expect(droppedResult.startedAt).toBeUndefined();
    for (const handle of busy) handle.cancel();
    expect((await high.result).exitReason).toBe('OK');
    expect((await low.result).exitReason).toBe('OK');
    expect(order).toEqual(['high', 'low']);
    expect(pool.cancel(dropped.attemptId)).toBe(false);
  });

  it('rejects invalid requests at once', () => {
    expect(() => start('ok', { timeoutMs: -1 })).toThrow(/timeoutMs is -1/);
    expect(() => start('ok', { runId: '' })).toThrow(/runId is missing/);
  });

  it('close waits for running attempts, kills them after the grace period, then refuses work', async () => {
    await pool.whenIdle();
    const quick = start('ok');
    const stuck = start('hang');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await pool.close({ graceMs: 500 });
    expect((await quick.result).exitReason).toBe('OK');
    expect((await stuck.result).exitReason).toBe('KILLED');
    expect(pool.stats()).toMatchObject({ workers: 0, running: 0, queued: 0 });
    expect(() => start('ok')).toThrow(PipelinesExecutorClosedError);
  });
});
