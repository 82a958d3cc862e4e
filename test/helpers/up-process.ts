/**
 * `marketlake up` (or `worker`) as a child process for end-to-end tests: started on an ephemeral
 * port, its URL read from what it prints, stopped with a signal and checked for a clean exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { distModule, repoRoot } from './dist.js';

/** A started platform process. */
export interface Running {
  child: ChildProcess;
  url: string;
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit status (or signal) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every process started, so a failed test can kill what it left (see `killStarted`). */
export const started: ChildProcess[] = [];

/** Kills (SIGKILL) every started process still alive. */
export function killStarted(): void {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Starts `marketlake up --project <project> --port 0` and waits for its URL line. */
export async function startUp(
  project: string,
  home: string,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
): Promise<Running> {
  distModule('cli/main.js');
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin/marketlake.js'), 'up', '--project', project, '--port', '0', ...args],
    {
      env: { ...process.env, MARKETLAKE_HOME: home, MARKETLAKE_DUCKDB_THREADS: '2', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`up printed no URL within 30 s.\nstdout: ${stdout}\nstderr: ${stderr}`)),
      30_000,
    );
    const onData = (): void => {
      const m = /^ {2}url: {6}(http:\/\/127\.0\.0\.1:(\d+))$/m.exec(stdout);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `up exited (${code ?? signal}) before printing its URL.\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    });
  });
  return { child, url, output: () => ({ stdout, stderr }), exited };
}

/** Sends `signal` and expects a clean exit (status 0, "marketlake stopped.") within 10 s. */
export async function stopWith(up: Running, signal: NodeJS.Signals): Promise<void> {
  const t0 = Date.now();
  up.child.kill(signal);
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`still running 10 s after ${signal}`)), 10_000),
  );
  const result = await Promise.race([up.exited, timeout]);
  const { stdout, stderr } = up.output();
  expect(result, `stdout: ${stdout}\nstderr: ${stderr}`).toEqual({ code: 0, signal: null });
  expect(Date.now() - t0).toBeLessThan(10_000);
  expect(stdout).toContain(`${signal}: stopping...`);
  expect(stdout.trimEnd().endsWith('marketlake stopped.')).toBe(true);
  expect(stderr).toBe('');
}
