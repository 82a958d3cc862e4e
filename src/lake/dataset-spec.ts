/** Column types the lake supports (DuckDB type names). */
export type ColumnType =
  'VARCHAR' | 'DATE' | 'TIMESTAMP' | 'TIMESTAMPTZ' | 'DOUBLE' | 'BIGINT' | 'INTEGER' | 'BOOLEAN';

/** The column types a dataset may use. */
export const columnTypes: readonly ColumnType[] = [
  'VARCHAR',
  'DATE',
  'TIMESTAMP',
  'TIMESTAMPTZ',
  'DOUBLE',
  'BIGINT',
  'INTEGER',
  'BOOLEAN',
];

/** One column of a dataset. */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Whether NULL is allowed (default true; primary-key columns are never nullable). */
  nullable?: boolean;
  description?: string;
}

/** A row-level rule every row must satisfy, as a DuckDB boolean expression over the columns. */
export interface RowCheck {
  name: string;
  /** SQL that is true for a good row, e.g. `high >= low`. NULL counts as passing. */
  sql: string;
  /** What a failing row is told, e.g. `high < low`. */
  message: string;
}

/** How a dataset's files are split into folders (Hive-style `key=value`). */
export type Partitioning =
  | { kind: 'none' }
  | { kind: 'year' | 'month' | 'date'; column: string }
  | { kind: 'column'; column: string };

/** A dataset's definition: typed columns, primary key, partitioning, row checks. */
export interface DatasetSpec {
  name: string;
  description?: string;
  columns: ColumnSpec[];
  /** Columns that identify a row; files are sorted by them and writes upsert on them. */
  primaryKey: string[];
  partitioning: Partitioning;
  checks?: RowCheck[];
}

/** A registered dataset, as the registry returns it. */
export interface Dataset extends Required<Omit<DatasetSpec, 'checks'>> {
  checks: RowCheck[];
  builtin: boolean;
  headVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** The Hive partition key name for a partitioning (`year`, `month`, `date` or the column). */
export function partitionKeyName(p: Partitioning): string | undefined {
  if (p.kind === 'none') return undefined;
  if (p.kind === 'column') return p.column;
  return p.kind;
}
