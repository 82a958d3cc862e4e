import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { ConnectorBadPayloadError } from '../errors.js';

const HTML_START = /^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i;
const XML_START = /^\s*<(\?xml|[A-Za-z_][\w.-]*[\s>])/;

/** Whether a body is an HTML page (a login wall, captive portal or error page served with 200). */
export function looksLikeHtml(body: string): boolean {
  return HTML_START.test(body);
}

/** Whether a body is XML (some providers answer errors in XML whatever format was asked for). */
export function looksLikeXml(body: string): boolean {
  return !looksLikeHtml(body) && XML_START.test(body);
}

/** The first characters of a body, on one line, for error messages. */
export function snippet(body: string, max = 160): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

/** Raises the error every connector gives for an HTML page where data was expected. */
export function rejectHtml(source: string, url: string, body: string, expected: string): void {
  if (!looksLikeHtml(body)) return;
  throw new ConnectorBadPayloadError(
    `${source}: ${url} answered with an HTML page instead of ${expected} ("${snippet(body, 80)}"). A proxy, login wall or maintenance page is in the way, or the base URL points at a web site rather than the API; check the connector's baseUrl and the network path.`,
    { details: { source, url, expected, received: 'html' } },
  );
}

/**
 * Parses a JSON body. A body that does not parse is reported as retryable: the usual cause is a
 * response cut off in transit, which a second request fixes.
 */
export function parseJsonBody(source: string, url: string, body: string): unknown {
  rejectHtml(source, url, body, 'JSON');
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    const empty = body.trim() === '';
    throw new ConnectorBadPayloadError(
      `${source}: ${url} returned ${empty ? 'an empty body' : `JSON that does not parse (${(err as Error).message}; ${body.length} bytes, ends "${snippet(body.slice(-40), 40)}")`}. The response was probably cut off; it is retried.`,
      { cause: err, retryable: true, details: { source, url, bytes: body.length } },
    );
  }
}

/** Options of `parseCsvBody`. */
export interface CsvBodyOptions {
  delimiter?: string;
  /** Columns the header must contain (case-sensitive), e.g. `['Date', 'Close']`. */
  required?: readonly string[];
}

/**
 * Parses a CSV body with a header line into records. A record with the wrong number of fields
 * (a body cut mid-line) is reported as retryable; a header without the required columns is not.
 */
export function parseCsvBody(
  source: string,
  url: string,
  body: string,
  options: CsvBodyOptions = {},
): Record<string, string>[] {
  rejectHtml(source, url, body, 'CSV');
  let records: Record<string, string>[];
  try {
    records = parse<Record<string, string>>(body, {
      columns: true,
      delimiter: options.delimiter ?? ',',
      skip_empty_lines: true,
      bom: true,
      trim: true,
    });
  } catch (err) {
    throw new ConnectorBadPayloadError(
      `${source}: ${url} returned CSV that does not parse (${(err as Error).message.split('\n')[0]}). The response was probably cut off; it is retried.`,
      { cause: err, retryable: true, details: { source, url, bytes: body.length } },
    );
  }
  const first = body.split(/\r?\n/, 1)[0] ?? '';
  const header = first.replace(/^\uFEFF/, '').split(options.delimiter ?? ',');
  const missing = (options.required ?? []).filter((c) => !header.map((h) => h.trim()).includes(c));
  if (missing.length > 0) {
    // A body without one complete line was cut inside the header: retry it.
    const cut = !/\r?\n/.test(body) && body.length > 0;
    throw new ConnectorBadPayloadError(
      `${source}: ${url} returned text without the expected CSV header (missing ${missing.join(', ')}; got "${snippet(body, 100)}"). ${cut ? 'The response was probably cut off; it is retried.' : 'The provider changed its format or sent a message instead of data.'}`,
      { retryable: cut, details: { source, url, missing } },
    );
  }
  return records;
}

/**
 * Checks a parsed payload against the provider's documented shape (a zod schema); a mismatch
 * names the first offending paths, so a format change is reported rather than mapped to garbage.
 */
export function expectShape<T>(
  source: string,
  url: string,
  schema: z.ZodType<T>,
  data: unknown,
  what: string,
): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new ConnectorBadPayloadError(
    `${source}: ${url} did not return ${what} (${issues}). The provider may have changed its format or answered with a message instead of data.`,
    { details: { source, url, issues: parsed.error.issues.slice(0, 10) } },
  );
}
