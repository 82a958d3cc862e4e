/**
 * Worker side of SQL tasks: the asset's SELECT runs in the lake's DuckDB and its result becomes a
 * new version of the asset's dataset. A partitioned asset upserts its rows by the dataset's key
 * (so re-running a partition replaces its rows); an unpartitioned one replaces the dataset. A
 * dataset that does not exist yet is created with the query's columns.
 */
import type { ColumnSpec, ColumnType, Lake } from '../../lake/index.js';
import { PipelinesLakeUnavailableError } from '../errors.js';
import type { AttemptChannel } from './attempt-channel.js';
import type { SqlTaskSpec, WorkerAttempt } from './worker-protocol.js';

/** The query with `{{partition}}` (spaces allowed inside the braces) replaced by the key. */
export function substitutePartition(sql: string, partition: string | undefined): string {
  return sql.replace(/\{\{\s*partition\s*\}\}/g, () => (partition ?? '').replace(/'/g, "''"));
}

/** The dataset column type that holds values of DuckDB type `duckType` (text when none fits). */
export function columnTypeOf(duckType: string): ColumnType {
  const t = duckType.toUpperCase();
  if (t === 'INTEGER' || t === 'SMALLINT' || t === 'TINYINT' || t.startsWith('UTINYINT'))
    return 'INTEGER';
  if (/INT/.test(t)) return 'BIGINT';
  if (t === 'DOUBLE' || t === 'FLOAT' || t === 'REAL' || t.startsWith('DECIMAL')) return 'DOUBLE';
  if (t === 'DATE' || t === 'BOOLEAN') return t;
  if (t.startsWith('TIMESTAMP WITH TIME ZONE') || t === 'TIMESTAMPTZ') return 'TIMESTAMPTZ';
  if (t.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  return 'VARCHAR';
}

async function ensureDataset(lake: Lake, name: string, sql: string): Promise<void> {
  const existing = await lake.datasets();
  if (existing.some((d) => d.name === name)) return;
  const probe = await lake.query(`SELECT * FROM (${sql}) AS q LIMIT 0`);
  const columns: ColumnSpec[] = probe.columns.map((c) => ({
    name: c.name,
    type: columnTypeOf(c.type),
  }));
  await lake.createDataset({
    name,
    description: 'Created by a SQL asset from its query result.',
    columns,
    primaryKey: [],
    partitioning: { kind: 'none' },
  });
}

/** Runs `task` for `attempt` on `lake` and reports the rows written. */
export async function runSqlTask(
  attempt: WorkerAttempt,
  task: SqlTaskSpec,
  lake: unknown,
  channel: AttemptChannel,
): Promise<void> {
  if (lake === undefined || lake === null)
    throw new PipelinesLakeUnavailableError(
      `SQL asset "${attempt.asset}" needs the lake, but this executor was started without a lake factory.`,
    );
  const target = lake as Lake;
  const sql = substitutePartition(task.sql, attempt.partition);
  await ensureDataset(target, task.dataset, sql);
  channel.log('info', 'system', `running SQL into ${task.dataset}`);
  const result = await target.write(
    task.dataset,
    { sql },
    { mode: attempt.partition === undefined ? 'replace' : 'append', writer: attempt.runId },
  );
  channel.addRows(result.rowsWritten);
  channel.metadata({
    dataset: task.dataset,
    version: result.version,
    partitions: result.partitions.length,
  });
}
