import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/**
 * The first `rows` data rows of a (gzipped) CSV as a plain CSV in `dir`, for quick runs at small
 * scale; made once and reused.
 * @returns {Promise<string>}
 */
export async function csvHead(source, rows, dir) {
  const file = path.join(
    dir,
    `${path.basename(source).replace(/\.csv(\.gz)?$/, '')}-head-${rows}.csv`,
  );
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const raw = createReadStream(source);
  const input = source.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp);
  let n = -1; // the header is line 0
  for await (const line of lines) {
    if (n >= rows) break;
    if (!out.write(`${line}\n`)) await new Promise((resolve) => out.once('drain', resolve));
    n++;
  }
  lines.close();
  raw.destroy();
  await new Promise((resolve, reject) =>
    out.end((err) => (err ? reject(err) : resolve(undefined))),
  );
  renameSync(tmp, file);
  return file;
}

/** Reads a file once so every timed run starts with the same (warm) page cache. */
export async function warmPageCache(file) {
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), async function* (source) {
    for await (const _chunk of source) {
      // discard
    }
  });
}
