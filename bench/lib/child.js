import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (bench/ is one level down). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A path as it appears in a reported command: relative to the repository root when inside it. */
export function shown(file) {
  const rel = path.relative(repoRoot, file);
  return rel.startsWith('..') ? file : rel;
}

/**
 * Runs one benchmark script in a fresh Node process (so each measurement has its own peak RSS
 * and cold DuckDB caches), from the repository root, and returns its JSON result, the command
 * line (for the report) and the process wall time.
 * @param {string} script path relative to the repository root
 * @param {Record<string, string | number>} options `--name value` pairs
 */
export function runChild(script, options) {
  const args = [script, ...Object.entries(options).flatMap(([k, v]) => [`--${k}`, String(v)])];
  const command = [
    'node',
    script,
    ...Object.entries(options).flatMap(([k, v]) => [
      `--${k}`,
      typeof v === 'string' && path.isAbsolute(v) ? shown(v) : String(v),
    ]),
  ].join(' ');
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const processMs = performance.now() - start;
      if (code !== 0) {
        const output = stderr.trim() || stdout.trim();
        const err = new Error(`${command} failed (${signal ?? `exit ${code}`}):\n${output}`);
        // The report shows the command and the error's gist (e.g. DuckDB out of memory).
        err.command = command;
        // Node prints the throwing source line first; the error's own line starts with its name.
        const lines = output.split('\n');
        const gist = lines.find((l) => /^\[?[A-Za-z]*Error\b/.test(l)) ?? lines[0] ?? '';
        err.summary = `${signal ?? `exit ${code}`}: ${gist}`.slice(0, 300);
        reject(err);
        return;
      }
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve({ command, processMs, result: JSON.parse(last) });
      } catch {
        reject(new Error(`${command} printed no JSON result:\n${stdout}\n${stderr}`));
      }
    });
  });
}
