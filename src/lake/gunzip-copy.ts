import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { messageOf } from '../core/index.js';
import { LakeImportFileError } from './errors.js';
import { LineIndex } from './line-index.js';

/**
 * Decompresses a gzip file into `dir` (same name without `.gz`) and returns the copy's path, with
 * the index of its lines (`quote`: the CSV quote character). DuckDB decompresses gzip on one
 * thread while it parses; from the copy, DuckDB parses on every core. The source is only read.
 */
export async function gunzipCopy(
  file: string,
  dir: string,
  quote: string,
): Promise<{ path: string; lines: LineIndex }> {
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, path.basename(file).replace(/\.gz$/i, '') || 'input');
  const lines = new LineIndex(quote);
  try {
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      createGunzip({ chunkSize: 1 << 20 }),
      // 1 MiB chunks: with 256 KiB ones, a 28 MB copy took 20% longer. Read as a stream, each
      // chunk is indexed while zlib inflates the next one.
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          lines.add(chunk);
          yield chunk;
        }
      },
      createWriteStream(target),
    );
  } catch (err) {
    throw new LakeImportFileError(
      `Cannot decompress ${file}: ${messageOf(err)}. Check that it is a complete gzip file (not truncated, not renamed from another format).`,
      { cause: err, details: { file } },
    );
  }
  return { path: target, lines };
}
