import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import type { CommandAttemptRequest } from './attempt-request.js';
import type { AttemptLogLine, AttemptResult } from './attempt-result.js';
import { ExecutorPool } from './executor-pool.js';

const MIB = 1024 * 1024;
const PYTHON = '/usr/bin/python3';

/** Whether `pid` runs (a zombie waiting for init to reap it does not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

// Workers started from TypeScript sources on a cold compile cache take a while on a busy CI box.
const START_TIMEOUT_MS = 120_000;

describe('executor pool: command tasks', { timeout: START_TIMEOUT_MS }, () => {
  let dir: string;
  let pool: ExecutorPool;

  beforeAll(async () => {
    dir = makeTempDir();
    pool = await ExecutorPool.start({ slots: 2 });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await pool?.close();
    removeDir(dir);
  });

  const command = (
    cmd: string | string[],
    extra: Partial<CommandAttemptRequest> = {},
  ): { lines: AttemptLogLine[]; result: Promise<AttemptResult> } => {
    const lines: AttemptLogLine[] = [];
    const handle = pool.execute({
      kind: 'command',
      runId: 'run_7',
      asset: 'script',
      command: cmd,
      cwd: dir,
      onLog: (line) => lines.push(line),
      ...extra,
    });
    return { lines, result: handle.result };
  };

  it('sets the MARKETLAKE_* environment and runs in cwd', async () => {
    const { lines, result } = command(
      'echo "$MARKETLAKE_PARTITION|$MARKETLAKE_RUN_ID|$MARKETLAKE_LAKE_PATH|$MARKETLAKE_ASSET|$MARKETLAKE_ATTEMPT|$MARKETLAKE_SECRET_API_KEY|$EXTRA|$(pwd)"',
      {
        partition: '2024-03-01|AAPL',
        attempt: 3,
        lakePath: '/data/lake',
        secrets: { api_key: 'k-123456' },
        env: { EXTRA: 'yes' },
      },
    );
    const done = await result;
    expect(done.exitReason).toBe('OK');
    expect(done.exitCode).toBe(0);
    // The secret reaches the command but is redacted from its log.
    expect(lines.map((l) => l.message)).toEqual([
      `2024-03-01|AAPL|run_7|/data/lake|script|3|[redacted]|yes|${dir}`,
    ]);
  });

  it('captures stdout and stderr line by line, in order within each stream', async () => {
    const { lines, result } = command(
      'for i in 1 2 3 4 5; do echo out$i; done; echo err1 >&2; sleep 0.2; echo err2 >&2; printf tail',
    );
    expect((await result).exitReason).toBe('OK');
    const stream = (name: string): string[] =>
      lines.filter((l) => l.stream === name).map((l) => l.message);
    expect(stream('stdout')).toEqual(['out1', 'out2', 'out3', 'out4', 'out5', 'tail']);
    expect(stream('stderr')).toEqual(['err1', 'err2']);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
  });

  it('runs argv without a shell', async () => {
    const { lines, result } = command(['/bin/echo', 'a  b', '$HOME']);
    expect((await result).exitReason).toBe('OK');
    expect(lines.map((l) => l.message)).toEqual(['a  b $HOME']);
  });

  it('reports a non-zero exit as a retryable ERROR with the status', async () => {
    const { lines, result } = command('echo failing >&2; exit 3');
    const done = await result;
    expect(done.exitReason).toBe('ERROR');
    expect(done.exitCode).toBe(3);
    expect(done.error?.code).toBe('PIPELINES_COMMAND_FAILED');
    expect(done.error?.retryable).toBe(true);
    expect(lines.at(-1)?.stream).toBe('system');
    expect(lines.at(-1)?.message).toMatch(/exited with status 3/);
  });

  it('reports a missing program as ERROR', async () => {
    const done = await command(['/no/such/program']).result;
    expect(done.exitReason).toBe('ERROR');
    expect(done.error?.code).toBe('ENOENT');
  });

  it('counts bytes a command writes', async () => {
    const target = path.join(dir, 'dd.bin');
    const done = await command(
      `dd if=/dev/zero of=${target} bs=1048576 count=20 conv=fsync 2>/dev/null`,
    ).result;
    expect(done.exitReason).toBe('OK');
    console.info(`20 MiB dd: write_bytes ${done.usage.bytesWritten}`);
    expect(done.usage.bytesWritten).toBeGreaterThanOrEqual(20 * MIB);
  });

  it.skipIf(!existsSync(PYTHON))(
    'accounts a Python grandchild that holds 200 MiB and burns 0.5 s of CPU',
    async () => {
      const script = [
        'import time',
        "data = b'x' * (200 * 1024 * 1024)",
        'start = time.process_time()',
        // The clock is read every 100,000 iterations: reading the process CPU clock is a system
        // call, and read on every iteration it would spend the loop's time in the kernel.
        'while time.process_time() - start < 0.5:',
        '    for _ in range(100000): pass',
        'print(len(data))',
      ].join('\n');
      const { lines, result } = command(`${PYTHON} -c "${script}"`);
      const done = await result;
      expect(done.exitReason).toBe('OK');
      expect(lines.map((l) => l.message)).toEqual([String(200 * MIB)]);
      const { peakRssBytes, cpuUserSeconds, cpuSystemSeconds } = done.usage;
      const peakMib = peakRssBytes / MIB;
      const cpu = cpuUserSeconds + cpuSystemSeconds;
      console.info(
        `python 200 MiB / 0.5 s: peak ${peakMib.toFixed(1)} MiB, cpu user ${cpuUserSeconds} + system ${cpuSystemSeconds} s`,
      );
      expect(peakMib).toBeGreaterThanOrEqual(200);
      expect(peakMib).toBeLessThanOrEqual(260);
      // The loop burns at least 0.5 s of CPU, nearly all of it user time; touching 200 MiB costs
      // system time in page faults, which varies with the kernel and the virtual machine (0.1-0.7 s
      // here), so the total is bounded loosely.
      expect(cpu).toBeGreaterThanOrEqual(0.5);
      expect(cpuUserSeconds).toBeGreaterThanOrEqual(0.4);
      expect(cpuUserSeconds).toBeLessThanOrEqual(0.9);
      expect(cpu).toBeLessThanOrEqual(2);
    },
  );

  it('kills the whole process group on timeout and keeps working', async () => {
    const pidFile = path.join(dir, 'sleeper.pid');
    const done = await command(`sleep 30 & echo $! > ${pidFile}; wait`, { timeoutMs: 1_000 })
      .result;
    expect(done.exitReason).toBe('TIMEOUT');
    expect(done.error?.code).toBe('PIPELINES_ATTEMPT_TIMEOUT');
    expect(done.error?.retryable).toBe(true);
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    expect(await eventually(() => !alive(sleeper))).toBe(true);
    const next = await command('echo still here').result;
    expect(next.exitReason).toBe('OK');
  });

  it.skipIf(!existsSync(PYTHON))('kills a command over its memory limit as OOM', async () => {
    const script = [
      'import time',
      'blocks = []',
      'for _ in range(100):',
      "    blocks.append(b'x' * (10 * 1024 * 1024))",
      '    time.sleep(0.02)',
    ].join('\n');
    const done = await command(`${PYTHON} -c "${script}"`, { resources: { memoryMb: 150 } }).result;
    expect(done.exitReason).toBe('OOM');
    expect(done.error?.message).toMatch(/over its memory limit of 150 MiB/);
    expect(done.usage.peakRssBytes / MIB).toBeGreaterThan(150);
  });

  it('kills leftovers when the command exits', async () => {
    const pidFile = path.join(dir, 'leftover.pid');
    const done = await command(`(sleep 30 & echo $! > ${pidFile})`).result;
    expect(done.exitReason).toBe('OK');
    const leftover = Number(readFileSync(pidFile, 'utf8'));
    expect(await eventually(() => !alive(leftover))).toBe(true);
  });
});
