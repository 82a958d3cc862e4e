import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the shared reference data (`../shared/data` beside the repository). */
export const sharedDataDir: string =
  process.env['MARKETLAKE_SHARED_DATA'] ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data');

/**
 * Path of a reference file, or undefined when it is missing outside CI (the caller skips and
 * says so). In CI a missing file throws, so the suite fails instead of skipping.
 */
export function sharedFile(relative: string): string | undefined {
  const file = path.join(sharedDataDir, relative);
  if (existsSync(file)) return file;
  if (process.env['CI'] === 'true') throw new Error(`Reference data ${file} is missing in CI.`);
  console.warn(`Reference data ${file} is missing: the tests that need it are skipped.`);
  return undefined;
}
