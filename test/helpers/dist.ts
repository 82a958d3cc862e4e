import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const repoRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Path of a built module under dist/ (npm test builds first); throws a clear error when missing. */
export function distModule(relative: string): string {
  const file = path.join(repoRoot, 'dist', relative);
  if (!existsSync(file))
    throw new Error(`${file} is missing: run \`npm run build\` first (npm test does).`);
  return file;
}

/** Result of a child process. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node` with the given arguments and resolves with its exit status and output. */
export function runNode(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<ChildResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      {
        env: { ...process.env, ...options.env },
        cwd: options.cwd ?? repoRoot,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const e = error as
          (NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Runs the built CLI (`bin/marketlake.js`) with arguments. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<ChildResult> {
  return runNode([path.join(repoRoot, 'bin/marketlake.js'), ...args], options);
}
