import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Paths of Debian's `prometheus` package tools (`.ci/run` installs it). In CI a missing tool
 * fails the suite at import, so a broken install can never pass as skipped tests; on a
 * developer machine without the package, the suites that need it are skipped with this notice.
 */
export function prometheusTool(name: 'promtool' | 'prometheus'): string | undefined {
  const found = [`/usr/bin/${name}`, `/usr/local/bin/${name}`].find((p) => existsSync(p));
  if (found) return found;
  const message = `${name} is not installed: apt-get install -y prometheus (as .ci/run does).`;
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`Skipping the ${name} tests: ${message}`);
  return undefined;
}

/** Result of running a Prometheus tool. */
export interface ToolRun {
  status: number | null;
  output: string;
}

/** Runs `tool args`, with `input` on stdin; returns the exit status and stdout+stderr. */
export function runTool(tool: string, args: readonly string[], input?: string): ToolRun {
  const r = spawnSync(tool, args, { input, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}
