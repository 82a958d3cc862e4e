import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnSpec, DatasetSpec } from './dataset-spec.js';
import { LakeImportFileError } from './errors.js';
import { partitionKeySql } from './partitions.js';
import { ident, literal } from './sql.js';

/** How source columns become dataset columns. */
export interface ColumnMapping {
  /** Dataset column -> source column, when names differ (`--map code=symbol` gives symbol -> code). */
  map?: Record<string, string>;
  /** Dataset column -> constant value for every row (`--set source=krx`). */
  constants?: Record<string, string>;
  /** strptime format of DATE columns in text sources, e.g. `%Y%m%d`; default: ISO or YYYYMMDD. */
  dateFormat?: string;
  /** strptime format of TIMESTAMP columns in text sources. */
  timestampFormat?: string;
  /** Text that joins raw fields when a bad row's original text is rebuilt. */
  delimiter?: string;
}

/** A staged write: a temp table holding typed rows, their partition and what is wrong with each. */
export interface StagedInput {
  /** Temp table (row order = source order, so `rowid + 1` is the row's ordinal) with the dataset's columns, `_part` (see `partitionKeySql`), `_reason` (NULL when good) and `_raw`. */
  table: string;
  rows: number;
  badRows: number;
  /**
   * Dataset columns the table does not hold because they are the same in every row (no source
   * column, or a valid constant), with the SQL that gives their value. A 10M-row import spent a
   * second and a spill on four all-NULL columns.
   */
  columnSql: ReadonlyMap<string, string>;
}

/** The SQL that reads a dataset column from a staged table: the column, or its constant. */
export function stagedColumn(
  columnSql: ReadonlyMap<string, string> | undefined,
  name: string,
): string {
  return columnSql?.get(name) ?? ident(name);
}

function castExpr(col: ColumnSpec, src: string, mapping: ColumnMapping): string {
  const s = ident(src);
  if (col.type === 'DATE') {
    const fmt = mapping.dateFormat;
    if (fmt) return `CAST(try_strptime(CAST(${s} AS VARCHAR), ${literal(fmt)}) AS DATE)`;
    return `COALESCE(TRY_CAST(${s} AS DATE), CAST(try_strptime(CAST(${s} AS VARCHAR), '%Y%m%d') AS DATE))`;
  }
  if ((col.type === 'TIMESTAMP' || col.type === 'TIMESTAMPTZ') && mapping.timestampFormat) {
    return `CAST(try_strptime(CAST(${s} AS VARCHAR), ${literal(mapping.timestampFormat)}) AS ${col.type})`;
  }
  return `TRY_CAST(${s} AS ${col.type})`;
}

/** Resolves which source column feeds each dataset column (case-insensitive names, then `map`). */
export function resolveColumns(
  spec: DatasetSpec,
  sourceColumns: readonly string[],
  mapping: ColumnMapping,
  label: string,
): Map<string, string | undefined> {
  const byLower = new Map(sourceColumns.map((c) => [c.toLowerCase(), c]));
  const out = new Map<string, string | undefined>();
  for (const [dst, src] of Object.entries(mapping.map ?? {})) {
    if (!spec.columns.some((c) => c.name === dst)) {
      throw new LakeImportFileError(
        `--map ${src}=${dst}: "${dst}" is not a column of ${spec.name} (columns: ${spec.columns.map((c) => c.name).join(', ')}).`,
        {
          details: { column: dst },
        },
      );
    }
    if (!byLower.has(src.toLowerCase())) {
      throw new LakeImportFileError(
        `--map ${src}=${dst}: ${label} has no column "${src}" (it has: ${sourceColumns.join(', ')}).`,
        {
          details: { column: src, source: label },
        },
      );
    }
  }
  for (const col of spec.columns) {
    if (mapping.constants?.[col.name] !== undefined) continue;
    const mapped = mapping.map?.[col.name];
    const src =
      mapped !== undefined
        ? byLower.get(mapped.toLowerCase())
        : byLower.get(col.name.toLowerCase());
    if (src === undefined && col.nullable === false) {
      throw new LakeImportFileError(
        `${label} has no column for required "${col.name}" of ${spec.name}. Its columns are: ${sourceColumns.join(', ')}. Map one with --map <source>=${col.name}, or set a constant with --set ${col.name}=<value>.`,
        { details: { column: col.name, source: label, sourceColumns } },
      );
    }
    out.set(col.name, src);
  }
  return out;
}

/** Types a CSV scan can read directly: a value that does not convert is a rejected line. */
const SCAN_TYPES = new Set(['DOUBLE', 'FLOAT', 'REAL']);

/**
 * Source columns a CSV scan should read as their dataset column's type (see `dialectOptions`):
 * required floating-point columns fed by a source column of their own. Returns source column ->
 * the dataset column it feeds.
 */
export function scanTypedColumns(
  spec: DatasetSpec,
  sourceColumns: readonly string[],
  mapping: ColumnMapping,
  label: string,
): Map<string, ColumnSpec> {
  const resolved = resolveColumns(spec, sourceColumns, mapping, label);
  const uses = new Map<string, number>();
  for (const src of resolved.values()) if (src) uses.set(src, (uses.get(src) ?? 0) + 1);
  const out = new Map<string, ColumnSpec>();
  for (const col of spec.columns) {
    const src = resolved.get(col.name);
    if (src && col.nullable === false && SCAN_TYPES.has(col.type) && uses.get(src) === 1)
      out.set(src, col);
  }
  return out;
}

/**
 * Stages a source relation (`SELECT ...` that yields the source columns, in order) into a temp
 * table of the dataset's types. Rows that do not convert, are blank where a value is required,
 * or fail a row check keep their reason in `_reason` and their original text in `_raw`; nothing
 * is dropped here.
 */
export async function stageInput(
  conn: DuckDBConnection,
  spec: DatasetSpec,
  source: {
    sql: string;
    columns: readonly string[];
    label: string;
    /** Source text columns to look into for `_nl`: whether the row holds a (quoted) line break. */
    lineBreakColumns?: readonly string[];
  },
  mapping: ColumnMapping,
  table: string,
  /** Leave out columns that are the same in every row (see `StagedInput.columnSql`). */
  omitConstant = true,
): Promise<StagedInput> {
  const resolved = resolveColumns(spec, source.columns, mapping, source.label);
  const rawName = new Map(source.columns.map((c, i) => [c, `_s${i}`]));
  const typed: string[] = [];
  // Each problem is a condition and the message it gives; a row's reason lists them all.
  const problems: { when: string; message: string }[] = [];
  // What marks a row bad, cheaper than OR-ing every problem: a required column that did not
  // convert is bad whether its text was blank or not.
  const bad: string[] = [];
  const columnSql = new Map<string, string>();
  // Keys and the partition column stay: the key checks, stats and partitioning read them.
  const kept = new Set([
    ...spec.primaryKey,
    ...(spec.partitioning.kind === 'none' ? [] : [spec.partitioning.column]),
  ]);
  for (const col of spec.columns) {
    const c = ident(col.name);
    const constant = mapping.constants?.[col.name];
    const src = resolved.get(col.name);
    if (omitConstant && !kept.has(col.name)) {
      if (constant !== undefined && (await castsTo(conn, constant, col.type))) {
        typed.push(`CAST(${literal(constant)} AS ${col.type}) AS ${c}`);
        columnSql.set(col.name, `CAST(${literal(constant)} AS ${col.type})`);
        continue;
      }
      if (constant === undefined && src === undefined) {
        typed.push(`CAST(NULL AS ${col.type}) AS ${c}`);
        columnSql.set(col.name, `CAST(NULL AS ${col.type})`);
        continue;
      }
    }
    if (constant !== undefined) {
      typed.push(`TRY_CAST(${literal(constant)} AS ${col.type}) AS ${c}`);
      problems.push({
        when: `${c} IS NULL`,
        message: literal(`${col.name}: constant "${constant}" is not a valid ${col.type}`),
      });
      bad.push(`${c} IS NULL`);
      continue;
    }
    if (src === undefined) {
      typed.push(`CAST(NULL AS ${col.type}) AS ${c}`);
      continue;
    }
    typed.push(`${castExpr(col, src, mapping)} AS ${c}`);
    const raw = rawName.get(src) ?? '';
    const text = `CAST(${raw} AS VARCHAR)`;
    const present = `(${raw} IS NOT NULL AND trim(${text}) <> '')`;
    problems.push({
      when: `${c} IS NULL AND ${present}`,
      message: `${literal(`${col.name}: "`)} || ${text} || ${literal(`" is not a valid ${col.type}`)}`,
    });
    if (col.nullable === false) {
      problems.push({
        when: `${c} IS NULL AND NOT ${present}`,
        message: literal(`${col.name} is blank`),
      });
      bad.push(`${c} IS NULL`);
    } else bad.push(`(${c} IS NULL AND ${present})`);
  }
  for (const check of spec.checks ?? []) {
    problems.push({ when: `NOT COALESCE((${check.sql}), true)`, message: literal(check.message) });
    bad.push(`NOT COALESCE((${check.sql}), true)`);
  }
  // Good rows (nearly all) only evaluate the conditions; the message text is built for bad rows.
  const reason =
    problems.length === 0
      ? 'CAST(NULL AS VARCHAR)'
      : `CASE WHEN ${bad.join(' OR ')} THEN concat_ws('; ', ${problems.map((p) => `CASE WHEN ${p.when} THEN ${p.message} END`).join(', ')}) END`;
  const delimiter = mapping.delimiter ?? ',';
  const rawText = `concat_ws(${literal(delimiter)}, ${[...rawName.values()].map((r) => `COALESCE(CAST(${r} AS VARCHAR), '')`).join(', ')})`;
  const carried = source.columns
    .map((c) => `src.${ident(c)} AS ${rawName.get(c) ?? ''}`)
    .join(', ');
  const cols = spec.columns
    .filter((c) => !columnSql.has(c.name))
    .map((c) => ident(c.name))
    .join(', ');
  const lineBreaks = source.lineBreakColumns
    ? `, ${source.lineBreakColumns.map((c) => `COALESCE(contains(${rawName.get(c) ?? 'NULL'}, chr(10)), false)`).join(' OR ') || 'false'} AS _nl`
    : '';
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE ${ident(table)} AS
    WITH src AS (${source.sql}),
    s1 AS (SELECT ${carried}, ${typed.join(', ')} FROM src),
    s2 AS (SELECT *, ${reason} AS _reason, ${partitionKeySql(spec)} AS _part FROM s1)
    SELECT ${cols ? `${cols}, ` : ''}_part, _reason, CASE WHEN _reason IS NOT NULL THEN ${rawText} END AS _raw${lineBreaks} FROM s2`);
  const counts = await conn.runAndReadAll(
    `SELECT count(*)::BIGINT AS n, count(_reason)::BIGINT AS bad FROM ${ident(table)}`,
  );
  const row = counts.getRowObjectsJson()[0] as { n: string; bad: string };
  return { table, rows: Number(row.n), badRows: Number(row.bad), columnSql };
}

async function castsTo(conn: DuckDBConnection, value: string, type: string): Promise<boolean> {
  const rows = await conn.runAndReadAll(
    `SELECT TRY_CAST(${literal(value)} AS ${type}) IS NOT NULL AS ok`,
  );
  return rows.getRowObjectsJson()[0]?.['ok'] === true;
}
