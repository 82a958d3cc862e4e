import { closeSync, openSync, readSync } from 'node:fs';

/** Bytes of a file's start that `mixedLineEndings` looks at. */
const SAMPLE_BYTES = 256 * 1024;

/**
 * Where a text file's first lines mix LF and CRLF endings, which DuckDB's CSV sniffer cannot
 * read (a header written by one tool, rows by another): the first line of each kind, or
 * undefined when the start of the file uses one kind only.
 */
export function mixedLineEndings(file: string): { lf: number; crlf: number } | undefined {
  const buf = Buffer.alloc(SAMPLE_BYTES);
  let size = 0;
  try {
    const fd = openSync(file, 'r');
    try {
      size = readSync(fd, buf, 0, SAMPLE_BYTES, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  let lf = 0;
  let crlf = 0;
  let line = 1;
  for (let i = buf.indexOf(0x0a); i !== -1 && i < size; i = buf.indexOf(0x0a, i + 1)) {
    if (i > 0 && buf[i - 1] === 0x0d) crlf ||= line;
    else lf ||= line;
    if (lf && crlf) return { lf, crlf };
    line++;
  }
  return undefined;
}
