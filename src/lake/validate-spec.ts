import { columnTypes, type DatasetSpec } from './dataset-spec.js';
import { LakeSchemaInvalidError } from './errors.js';

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const FORBIDDEN_IN_CHECK =
  /\b(select|from|copy|attach|detach|install|load|pragma|set|call|export|import)\b|read_|glob|;|--|\/\*/i;

function fail(spec: { name?: string }, what: string, fix: string): never {
  throw new LakeSchemaInvalidError(`Dataset "${spec.name ?? '?'}": ${what}. ${fix}`, {
    details: { dataset: spec.name },
  });
}

/** Validates a dataset definition and returns it with defaults applied. */
export function validateSpec(spec: DatasetSpec): DatasetSpec {
  if (typeof spec.name !== 'string' || !NAME.test(spec.name)) {
    fail(
      spec,
      `name "${String(spec.name)}" is invalid`,
      'Use lower-case letters, digits and _, starting with a letter (at most 63 characters).',
    );
  }
  if (!Array.isArray(spec.columns) || spec.columns.length === 0)
    fail(spec, 'it has no columns', 'Declare at least one column.');
  const seen = new Set<string>();
  for (const c of spec.columns) {
    if (typeof c.name !== 'string' || !COLUMN.test(c.name)) {
      fail(
        spec,
        `column name "${String(c.name)}" is invalid`,
        'Use letters, digits and _, starting with a letter or _.',
      );
    }
    if (seen.has(c.name))
      fail(spec, `column "${c.name}" is declared twice`, 'Remove the duplicate.');
    seen.add(c.name);
    if (!columnTypes.includes(c.type)) {
      fail(
        spec,
        `column "${c.name}" has type "${String(c.type)}"`,
        `Accepted types: ${columnTypes.join(', ')}.`,
      );
    }
  }
  const pk = spec.primaryKey ?? [];
  for (const k of pk) {
    if (!seen.has(k))
      fail(
        spec,
        `primary key column "${k}" is not a column`,
        `Use some of: ${[...seen].join(', ')}.`,
      );
  }
  const p = spec.partitioning ?? { kind: 'none' };
  if (!['none', 'year', 'month', 'date', 'column'].includes(p.kind)) {
    fail(
      spec,
      `partitioning "${String((p as { kind: unknown }).kind)}" is unknown`,
      'Use none, year, month, date or column.',
    );
  }
  if (p.kind !== 'none') {
    const col = spec.columns.find((c) => c.name === p.column);
    if (!col)
      fail(
        spec,
        `partition column "${p.column}" is not a column`,
        `Use one of: ${[...seen].join(', ')}.`,
      );
    if (p.kind !== 'column' && !['DATE', 'TIMESTAMP', 'TIMESTAMPTZ'].includes(col.type)) {
      fail(
        spec,
        `partitioning by ${p.kind} needs a DATE or TIMESTAMP column, "${p.column}" is ${col.type}`,
        'Pick a date column.',
      );
    }
    if (p.kind === 'column' && col.nullable !== false && !pk.includes(col.name)) {
      fail(spec, `partition column "${p.column}" must be NOT NULL`, 'Set nullable: false on it.');
    }
  }
  for (const check of spec.checks ?? []) {
    if (!check.name || !check.sql || !check.message)
      fail(spec, 'a row check lacks name, sql or message', 'Give all three.');
    if (FORBIDDEN_IN_CHECK.test(check.sql)) {
      fail(
        spec,
        `row check "${check.name}" uses a forbidden construct`,
        'A check is one boolean expression over the columns (no subqueries, no file functions).',
      );
    }
  }
  return {
    name: spec.name,
    description: spec.description ?? '',
    columns: spec.columns.map((c) => ({
      ...c,
      nullable: pk.includes(c.name) ? false : c.nullable !== false,
    })),
    primaryKey: [...pk],
    partitioning: p,
    checks: spec.checks ?? [],
  };
}
