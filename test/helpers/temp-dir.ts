import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Runs `fn` with a fresh temporary folder and removes it afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'marketlake-test-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Creates a temporary folder the caller removes with `removeDir`. */
export function makeTempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'marketlake-test-'));
}

/** Removes a folder made by `makeTempDir`. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
