import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { messageOf } from '../../core/index.js';
import { ConnectorMappingInvalidError } from '../errors.js';

const strptimeTokens = /%[YmdHMSyj%]|%[^YmdHMSyj%]/g;

const schema = z
  .strictObject({
    /** Vendor id; the default `source` is `file:<vendor>`. */
    vendor: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, dot, dash, underscore'),
    description: z.string().optional(),
    dataset: z.string().min(1).default('bars_1d'),
    format: z.enum(['csv', 'tsv', 'jsonl', 'parquet']).optional(),
    delimiter: z.string().min(1).max(1).optional(),
    quote: z.string().min(1).max(1).optional(),
    header: z.boolean().default(true),
    columns: z.record(z.string(), z.string()).default({}),
    constants: z.record(z.string(), z.string()).default({}),
    dateFormat: z.string().optional(),
    timestampFormat: z.string().optional(),
    timezone: z.string().optional(),
    priceScale: z.number().positive().default(1),
    volumeScale: z.number().positive().default(1),
    thousandsSeparator: z.enum([',', '.', ' ', "'"]).optional(),
    adjustments: z.enum(['none', 'split', 'split_dividend']).default('none'),
    adjustedAsOf: z.iso.date().optional(),
    symbols: z
      .strictObject({
        map: z.record(z.string(), z.string()).default({}),
        padTo: z.number().int().min(1).max(20).optional(),
        upperCase: z.boolean().default(false),
        prefix: z.string().default(''),
        suffix: z.string().default(''),
      })
      .optional(),
    maxBadRows: z.number().int().min(0).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.adjustments !== 'none' && m.dataset !== 'bars_1d')
      ctx.addIssue({
        code: 'custom',
        path: ['adjustments'],
        message: `only bars_1d prices can be un-adjusted (dataset is ${m.dataset}); use "none"`,
      });
    if (m.timezone) {
      try {
        new Intl.DateTimeFormat('en', { timeZone: m.timezone });
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: ['timezone'],
          message: `"${m.timezone}" is not an IANA time zone (e.g. Asia/Seoul)`,
        });
      }
    }
    for (const key of ['dateFormat', 'timestampFormat'] as const) {
      const bad = (m[key]?.match(strptimeTokens) ?? []).filter((t) => !/^%[YmdHMSyj%]$/.test(t));
      if (bad.length > 0)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unsupported ${bad.join(' ')}; use %Y %y %m %d %j %H %M %S`,
        });
    }
  });

/** A vendor's file-drop mapping (`vendors/<vendor>.json`); see docs/connectors.md for every field. */
export type VendorMapping = z.output<typeof schema>;

/** The mapping as written in the JSON file (defaults not yet applied). */
export type VendorMappingInput = z.input<typeof schema>;

/** Validates a mapping object; problems name the field and the fix (`CONNECTOR_MAPPING_INVALID`). */
export function parseVendorMapping(value: unknown, label = 'the vendor mapping'): VendorMapping {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConnectorMappingInvalidError(`${label} is invalid: ${problems.join('; ')}.`, {
    details: { mapping: label, problems },
  });
}

/** Reads and validates a vendor mapping JSON file. */
export function loadVendorMapping(file: string): VendorMapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConnectorMappingInvalidError(
      `Cannot read the vendor mapping ${file}: ${messageOf(err)}.`,
      {
        cause: err,
        details: { mapping: file },
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConnectorMappingInvalidError(
      `${file} is not valid JSON: ${messageOf(err)}. Fix the syntax.`,
      {
        cause: err,
        details: { mapping: file },
      },
    );
  }
  return parseVendorMapping(value, path.basename(file));
}

/** The file format of a dropped file: the mapping's, else from the extension (.gz ignored). */
export function formatOf(
  file: string,
  mapping: VendorMapping,
): 'csv' | 'tsv' | 'jsonl' | 'parquet' {
  if (mapping.format) return mapping.format;
  const name = file.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.parquet')) return 'parquet';
  if (name.endsWith('.tsv') || name.endsWith('.tab')) return 'tsv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  return 'csv';
}

/** Whether the file needs marketlake's own pass before `lake.import` (else it is imported as is). */
export function needsTransform(format: string, m: VendorMapping): boolean {
  return (
    format === 'jsonl' ||
    m.priceScale !== 1 ||
    m.volumeScale !== 1 ||
    m.thousandsSeparator !== undefined ||
    m.adjustments !== 'none' ||
    m.timezone !== undefined ||
    m.symbols !== undefined
  );
}

/**
 * Parses `text` with a strptime format limited to %Y %y %m %d %j %H %M %S (what vendors use);
 * returns 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS', or undefined when the text does not match.
 */
export function strptime(text: string, format: string, withTime: boolean): string | undefined {
  const parts: Record<string, number> = {};
  const order: string[] = [];
  const pattern = format
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%([YmdHMSyj%])/g, (_, t: string) => {
      if (t === '%') return '%';
      order.push(t);
      return t === 'Y' ? '(\\d{4})' : t === 'j' ? '(\\d{1,3})' : '(\\d{1,2})';
    });
  const m = new RegExp(`^${pattern}$`).exec(text.trim());
  if (!m) return undefined;
  order.forEach((t, i) => (parts[t] = Number(m[i + 1])));
  const year =
    parts['Y'] ??
    (parts['y'] !== undefined ? (parts['y'] < 69 ? 2000 : 1900) + parts['y'] : undefined);
  if (year === undefined) return undefined;
  let month = parts['m'] ?? 1;
  let day = parts['d'] ?? 1;
  if (parts['j'] !== undefined) {
    const d = new Date(Date.UTC(year, 0, parts['j']));
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  }
  const d = new Date(
    Date.UTC(year, month - 1, day, parts['H'] ?? 0, parts['M'] ?? 0, parts['S'] ?? 0),
  );
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    return undefined;
  const iso = d.toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(0, 10);
}
