import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { messageOf } from '../core/index.js';
import { LakeImportFileError } from './errors.js';

/**
 * Decompresses a gzip file into `dir` (same name without `.gz`) and returns the copy's path.
 * DuckDB decompresses gzip on one thread while it parses, and a line scan would decompress it
 * again; from the copy, DuckDB parses on every core and a scan only reads text. The source is
 * only read.
 */
export async function gunzipCopy(file: string, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, path.basename(file).replace(/\.gz$/i, '') || 'input');
  try {
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      createGunzip({ chunkSize: 1 << 18 }),
      createWriteStream(target),
    );
  } catch (err) {
    throw new LakeImportFileError(
      `Cannot decompress ${file}: ${messageOf(err)}. Check that it is a complete gzip file (not truncated, not renamed from another format).`,
      { cause: err, details: { file } },
    );
  }
  return target;
}
