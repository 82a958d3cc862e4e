/**
 * Worker side: runs a command task as a child of the worker, in a process group of its own
 * (`detached`), so the pool can kill the whole tree with one signal to the group. Its stdout and
 * stderr go to the attempt log line by line; processes it leaves behind are killed when it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { PipelinesCommandFailedError } from '../errors.js';
import type { AttemptChannel } from './attempt-channel.js';
import type { CommandTaskSpec } from './worker-protocol.js';

// After the command exits, how long its output may take to drain before the pipes are dropped.
const DRAIN_MS = 2_000;

/** Kills a command's process group, ignoring a group already gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

function start(task: CommandTaskSpec): ChildProcess {
  const options = {
    cwd: task.cwd,
    env: { ...process.env, ...task.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
  };
  const { command } = task;
  if (typeof command === 'string') return spawn(command, { ...options, shell: true });
  const [program, ...args] = command;
  return spawn(program as string, args, options);
}

function pipeLines(stream: Readable | null, emit: (line: string) => void): Promise<void> {
  if (stream === null) return Promise.resolve();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', emit);
  return new Promise((resolve) => lines.once('close', resolve));
}

function drained(streams: Promise<void>[], child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve();
    }, DRAIN_MS);
    void Promise.all(streams).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The process group of the command running now, for the worker's shutdown. */
let runningGroup: number | undefined;

/** Kills the running command's group (the worker is going away). */
export function killRunningCommand(): void {
  killGroup(runningGroup);
}

/** Runs the command; resolves with its exit status 0, throws PipelinesCommandFailedError else. */
export async function runCommandTask(
  task: CommandTaskSpec,
  channel: AttemptChannel,
): Promise<number> {
  const child = start(task);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    },
  );
  if (child.pid !== undefined) {
    runningGroup = child.pid;
    channel.spawned(child.pid);
  }
  const streams = [
    pipeLines(child.stdout, (line) => channel.log('info', 'stdout', line)),
    pipeLines(child.stderr, (line) => channel.log('info', 'stderr', line)),
  ];
  try {
    const { code, signal } = await exited;
    killGroup(child.pid); // background processes the command left behind end with it
    await drained(streams, child);
    if (code === 0) return 0;
    const how = signal === null ? `exited with status ${code}` : `was killed by ${signal}`;
    throw new PipelinesCommandFailedError(`Command ${how}.`, {
      details: { exitCode: code, signal },
    });
  } finally {
    runningGroup = undefined;
  }
}
