import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { asset } from '../sdk/asset.js';
import { AttemptQueue } from './attempt-queue.js';
import { attemptRequestFor, prepareAttempt, secretEnvName } from './attempt-request.js';

describe('attempt requests', () => {
  it('applies defaults and builds the worker message of a run task', () => {
    const prepared = prepareAttempt(
      { kind: 'run', runId: 'r', asset: 'a', projectDir: '/p', file: 'pipelines/a.ts' },
      1_000,
    );
    expect(prepared.attemptId).toMatch(/^att_/);
    expect(prepared.enqueuedAtMs).toBe(1_000);
    expect(prepared.priority).toBe(0);
    expect(prepared.heapLimitMb).toBeUndefined();
    expect(prepared.worker).toMatchObject({ attempt: 1, runId: 'r', asset: 'a', secrets: {} });
    expect(prepared.worker.task).toEqual({
      kind: 'run',
      projectDir: '/p',
      file: path.resolve('/p/pipelines/a.ts'),
      codeVersion: undefined,
    });
  });

  it('gives commands their environment, secrets included', () => {
    const prepared = prepareAttempt({
      kind: 'command',
      runId: 'r',
      asset: 'a',
      attempt: 2,
      command: 'true',
      secrets: { 'api-key': 'x' },
      env: { MARKETLAKE_ASSET: 'overridden' },
      resources: { memoryMb: 64 },
    });
    expect(prepared.memoryMb).toBe(64);
    expect(prepared.heapLimitMb).toBeUndefined(); // a command's memory is not the worker's heap
    expect(prepared.worker.task).toMatchObject({
      kind: 'command',
      env: {
        MARKETLAKE_RUN_ID: 'r',
        MARKETLAKE_ATTEMPT: '2',
        MARKETLAKE_PARTITION: '',
        MARKETLAKE_LAKE_PATH: '',
        MARKETLAKE_SECRET_API_KEY: 'x',
        MARKETLAKE_ASSET: 'overridden',
      },
    });
    expect(secretEnvName('krx.token')).toBe('MARKETLAKE_SECRET_KRX_TOKEN');
  });

  it('says what is wrong with a bad request', () => {
    const base = { kind: 'run', runId: 'r', asset: 'a', projectDir: '/p' } as const;
    expect(() => prepareAttempt({ ...base, attempt: 0 })).toThrow(/attempt is 0/);
    expect(() => prepareAttempt({ ...base, resources: { memoryMb: 1.5 } })).toThrow(
      /resources.memoryMb is 1.5/,
    );
    expect(() => prepareAttempt({ ...base, enqueuedAt: new Date('nope') })).toThrow(/enqueuedAt/);
    // A SQL request needs its query and the dataset it writes.
    expect(() => prepareAttempt({ ...base, kind: 'sql' } as never)).toThrow(/sql is missing/);
    expect(() => prepareAttempt({ ...base, kind: 'sql', sql: 'SELECT 1' } as never)).toThrow(
      /dataset is missing/,
    );
    expect(() => prepareAttempt({ ...base, kind: 'shell' } as never)).toThrow(
      /Use 'run', 'command' or 'sql'/,
    );
    expect(() =>
      prepareAttempt({ kind: 'command', runId: 'r', asset: 'a', command: '  ' }),
    ).toThrow(expect.objectContaining({ code: 'PIPELINES_ATTEMPT_INVALID' }));
  });

  it('builds a request from an asset definition', () => {
    const run = asset({ name: 'a', run: () => 1, timeoutMs: 5_000, resources: { memoryMb: 512 } });
    expect(
      attemptRequestFor(run, { projectDir: '/p', file: 'pipelines/a.ts' }, { runId: 'r' }),
    ).toMatchObject({
      kind: 'run',
      asset: 'a',
      runId: 'r',
      projectDir: '/p',
      file: 'pipelines/a.ts',
      timeoutMs: 5_000,
      resources: { memoryMb: 512 },
    });
    const cmd = asset({ name: 'c', command: ['python', 'c.py'] });
    expect(
      attemptRequestFor(cmd, { projectDir: '/p' }, { runId: 'r', timeoutMs: 9 }),
    ).toMatchObject({ kind: 'command', command: ['python', 'c.py'], cwd: '/p', timeoutMs: 9 });
    const sql = asset({ name: 's', dataset: 'out', sql: 'SELECT 1' });
    expect(attemptRequestFor(sql, { projectDir: '/p' }, { runId: 'r' })).toMatchObject({
      kind: 'sql',
      sql: 'SELECT 1',
      dataset: 'out',
    });
  });
});

describe('attempt queue', () => {
  it('orders by priority, then first in first out, and settles dropped attempts', async () => {
    const queue = new AttemptQueue();
    const make = (id: string, priority: number) =>
      prepareAttempt({
        kind: 'command',
        runId: 'r',
        asset: 'a',
        command: 'true',
        attemptId: id,
        priority,
      });
    void queue.push(make('a', 0));
    void queue.push(make('b', 1));
    void queue.push(make('c', 0));
    const dropped = queue.push(make('d', -1));
    void queue.push(make('e', 1));
    expect(queue.cancel('d')).toBe(true);
    expect((await dropped).exitReason).toBe('KILLED');
    const order: string[] = [];
    for (let next = queue.shift(); next !== undefined; next = queue.shift())
      order.push(next.prepared.attemptId);
    expect(order).toEqual(['b', 'e', 'a', 'c']);
  });

  it('fails waiting attempts as CRASHED when workers cannot start', async () => {
    const queue = new AttemptQueue();
    const result = queue.push(
      prepareAttempt({ kind: 'command', runId: 'r', asset: 'a', command: 'true' }),
    );
    queue.failAll(new Error('fork failed'));
    expect(await result).toMatchObject({
      exitReason: 'CRASHED',
      startedAt: undefined,
      error: { code: 'PIPELINES_WORKER_START_FAILED', retryable: true },
    });
    expect(queue.size).toBe(0);
  });
});
