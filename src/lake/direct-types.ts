import { DuckDBTimestampValue } from '@duckdb/node-api';
import { parseDay } from '../core/index.js';
import type { Dataset } from './dataset-spec.js';
import { dateString } from './json-rows.js';
import type { PhysicalType, RawValue } from './parquet-values.js';

/** How a dataset column type is stored in the lake's files, shown as JSON and filtered on. */
export interface TypeSpec {
  physical: PhysicalType;
  /** The file's converted type for the column (undefined: none, or a plain integer one). */
  converted?: string;
  json(v: RawValue): unknown;
  /** A filter value in the column's domain, or undefined when DuckDB should cast it instead. */
  filter(v: string | number | boolean): RawValue | undefined;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;

const none = (): undefined => undefined;
const decimal = (v: string | number | boolean): number | undefined =>
  typeof v === 'number'
    ? Number.isFinite(v)
      ? v
      : undefined
    : typeof v === 'string' && DECIMAL.test(v)
      ? Number(v)
      : undefined;
const whole = (v: string | number | boolean): bigint | undefined =>
  typeof v === 'number'
    ? Number.isSafeInteger(v)
      ? BigInt(v)
      : undefined
    : typeof v === 'string' && INTEGER.test(v)
      ? BigInt(v)
      : undefined;
const finiteOrText = (v: RawValue): unknown =>
  v === null ? null : Number.isFinite(v) ? v : String(v);

const TYPES: Record<string, TypeSpec> = {
  VARCHAR: {
    physical: 'BYTE_ARRAY',
    converted: 'UTF8',
    json: (v) => v,
    filter: (v) => (typeof v === 'string' ? v : undefined),
  },
  DOUBLE: { physical: 'DOUBLE', json: finiteOrText, filter: decimal },
  INTEGER: {
    physical: 'INT32',
    json: (v) => v,
    filter: (v) => {
      const x = whole(v);
      return x !== undefined && x >= -2147483648n && x <= 2147483647n ? Number(x) : undefined;
    },
  },
  BIGINT: {
    physical: 'INT64',
    json: (v) => (v === null ? null : String(v)),
    filter: (v) => {
      const x = whole(v);
      return x !== undefined && BigInt.asIntN(64, x) === x ? x : undefined;
    },
  },
  DATE: {
    physical: 'INT32',
    converted: 'DATE',
    json: (v) => (v === null ? null : dateString(v as number)),
    // A strict 'YYYY-MM-DD' of a real date from year 1 on; DuckDB casts any other text.
    filter: (v) => (typeof v === 'string' && !v.startsWith('0000') ? parseDay(v) : undefined),
  },
  TIMESTAMP: {
    physical: 'INT64',
    converted: 'TIMESTAMP_MICROS',
    json: (v) => (v === null ? null : String(new DuckDBTimestampValue(v as bigint))),
    filter: none,
  },
  BOOLEAN: { physical: 'BOOLEAN', json: (v) => v, filter: none },
};

/** The type specs of a dataset's columns, or undefined when one is not decoded directly. */
export function typeSpecs(dataset: Dataset): TypeSpec[] | undefined {
  const specs: TypeSpec[] = [];
  for (const c of dataset.columns) {
    const t = TYPES[c.type.toUpperCase()];
    if (!t) return undefined;
    specs.push(t);
  }
  return specs;
}
