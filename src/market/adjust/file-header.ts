import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MarketImportFileError } from '../errors.js';

/** The column names on the first line of a CSV file (gzip when it ends in .gz). */
export async function readCsvHeader(file: string, delimiter = ','): Promise<string[]> {
  const raw = createReadStream(file);
  const input: Readable = /\.gz$/i.test(file) ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      return line
        .replace(/^\uFEFF/, '')
        .split(delimiter)
        .map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    }
    throw new MarketImportFileError(`${file} is empty: expected a header line.`, {
      details: { file },
    });
  } catch (err) {
    if (err instanceof MarketImportFileError) throw err;
    throw new MarketImportFileError(
      `Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}. Check the path and that it is a CSV (or .csv.gz) file.`,
      { cause: err, details: { file } },
    );
  } finally {
    lines.close();
    raw.destroy();
  }
}
