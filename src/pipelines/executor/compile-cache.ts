/**
 * Compiling TypeScript pipeline files outside the workers. The compiler (jiti's Babel) adds some
 * 40 MiB to a process that loads it, which would inflate every later attempt's peak RSS in a warm
 * worker. So the pool compiles a run task's file into jiti's on-disk cache before dispatching it
 * (the platform process already holds the compiler: the project loader uses it), the worker reads
 * the compiled code from that cache, and a worker that still had to load the compiler (a helper
 * module imported by a pipeline file, a cold cache at boot) is replaced rather than reused.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createJiti } from 'jiti';

/** Folder of jiti's compiled-file cache shared by the pool and its workers. */
export function compileCacheDir(): string {
  return path.join(tmpdir(), 'marketlake-jiti');
}

const COMPILED = /\.([cm]?tsx?|js)$/;
const compiled = new Map<string, string>();
let jiti: ReturnType<typeof createJiti> | undefined;

/**
 * Compiles `file` into the cache if it changed since the last call; a no-op for files Node loads
 * natively. Errors are left for the worker to report with the attempt.
 */
export function precompile(file: string): void {
  if (!COMPILED.test(file)) return;
  try {
    const stat = statSync(file);
    const key = `${stat.mtimeMs}:${stat.size}`;
    if (compiled.get(file) === key) return;
    jiti ??= createJiti(import.meta.url, { fsCache: compileCacheDir(), moduleCache: false });
    // The same flags as the worker's `jiti.import`, so the cache entry is the one it looks up.
    jiti.transform({
      filename: file,
      source: readFileSync(file, 'utf8'),
      ts: /\.[cm]?tsx?$/.test(file),
      async: true,
    });
    compiled.set(file, key);
  } catch {
    // A missing or broken file fails in the worker with the loader's message.
  }
}

/** Whether this process has loaded jiti's compiler (only workers ask). */
export function compilerLoaded(): boolean {
  const cache = createRequire(import.meta.url).cache;
  const suffix = `${path.sep}jiti${path.sep}dist${path.sep}babel.cjs`;
  return Object.keys(cache).some((key) => key.endsWith(suffix));
}
