import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  descendantsIn,
  parseProcStat,
  pinProcFiles,
  procAvailable,
  readProcIo,
  readProcMemory,
  readProcStat,
  resetPeakRss,
  scanProcessParents,
  unpinProcFiles,
} from './proc-stats.js';
import { ProcessTreeSampler } from './process-tree-sampler.js';

describe('/proc readers', () => {
  it('parses stat lines whose command name holds spaces and parentheses', () => {
    const line =
      '4242 (my (odd) name) S 17 4242 4242 0 -1 4194304 100 0 0 0 250 30 7 3 20 0 1 0 987654 1000 200';
    expect(parseProcStat(4242, line)).toEqual({
      pid: 4242,
      ppid: 17,
      pgid: 4242,
      utimeTicks: 250,
      stimeTicks: 30,
      cutimeTicks: 7,
      cstimeTicks: 3,
      startTicks: 987654,
    });
  });

  it.runIf(procAvailable())('reads this process and returns undefined for a gone one', () => {
    expect(readProcStat(process.pid)?.ppid).toBe(process.ppid);
    const memory = readProcMemory(process.pid);
    expect(memory?.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(memory!.hwmBytes).toBeGreaterThanOrEqual(memory!.rssBytes);
    expect(readProcIo(process.pid)?.readChars).toBeGreaterThan(0);
    expect(readProcStat(2 ** 22 + 1)).toBeUndefined();
    expect(readProcMemory(2 ** 22 + 1)).toBeUndefined();
    expect(resetPeakRss(2 ** 22 + 1)).toBe(false);
  });

  it.runIf(procAvailable())(
    'reads a pinned process through kept files, fresh each time, until it exits',
    async () => {
      const child = spawn(
        'node',
        [
          '-e',
          'globalThis.b = Buffer.alloc(64 << 20, 1); setTimeout(() => {}, 10000); process.on("message", () => {});',
        ],
        {
          stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
        },
      );
      const pid = child.pid!;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        pinProcFiles(pid);
        let memory = readProcMemory(pid);
        for (let i = 0; i < 50 && (memory?.rssBytes ?? 0) < 64 * 1024 * 1024; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          memory = readProcMemory(pid); // the same open file, read again from the start
        }
        expect(memory!.rssBytes).toBeGreaterThan(64 * 1024 * 1024);
        expect(readProcStat(pid)?.ppid).toBe(process.pid);
        expect(readProcIo(pid)).toBeDefined();
        expect(resetPeakRss(pid)).toBe(true);
        const after = readProcMemory(pid)!; // the high-water mark is back at the resident set
        expect(after.hwmBytes - after.rssBytes).toBeLessThan(8 * 1024 * 1024);
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      expect(readProcStat(pid)).toBeUndefined(); // its files stay open but the process is gone
      unpinProcFiles(pid);
      expect(readProcStat(pid)).toBeUndefined();
    },
  );

  it('walks descendants through a parent map', () => {
    const parents = new Map([
      [10, 1],
      [11, 10],
      [12, 11],
      [13, 10],
      [20, 1],
    ]);
    expect(descendantsIn(parents, 10).sort()).toEqual([11, 12, 13]);
    expect(descendantsIn(parents, 20)).toEqual([]);
  });

  it.runIf(procAvailable())('finds and measures a child process tree', async () => {
    const child = spawn('sh', ['-c', 'sleep 5 & wait'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const sampler = new ProcessTreeSampler(process.pid, false);
      expect(sampler.begin()).toBe(true);
      sampler.discover(scanProcessParents());
      expect(sampler.descendants()).toContain(child.pid);
      expect(sampler.sample()).toBeGreaterThan(0);
      expect(sampler.figures().peakRssBytes).toBeGreaterThan(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
