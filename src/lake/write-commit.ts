import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { failpoint, newId } from '../core/index.js';
import { acquireLease } from '../meta/index.js';
import {
  commitVersion,
  filesAt,
  type CommitGuard,
  type LakeFile,
  type NewLakeFile,
} from './catalog.js';
import type { Dataset } from './dataset-spec.js';
import { durableRename, fsyncDir, fsyncFile } from './durable-fs.js';
import { LakeBadDataError, LakeCommitConflictError, LakeDuplicateKeysError } from './errors.js';
import { checkKeyOrder, fileSortKey, looksPresorted } from './key-order.js';
import type { LakeContext } from './lake-context.js';
import { writeManifest } from './manifest.js';
import { normalizePartition } from './partitions.js';
import { fileColumns, scanSql } from './scan.js';
import { ident, literal, text } from './sql.js';
import { stagedColumn } from './staged-input.js';

/** How a write combines with what the dataset already holds. */
export type WriteMode = 'append' | 'replace';

/** Options of a write. */
export interface WriteOptions {
  /**
   * `append` (default): add rows; on a dataset with a primary key, a row whose key exists
   * replaces the old row (upsert). `replace`: the written partitions (and those listed in
   * `partitions`) hold exactly the new rows afterwards.
   */
  mode?: WriteMode;
  /** With `replace`: partitions to replace even if the write has no rows for them (they end empty). */
  partitions?: string[];
  /** Who writes (run id, `cli`, `api`); recorded in the version. */
  writer?: string;
  /** Recorded in the version (`write`, `import`, `compact`). */
  operation?: string;
  /**
   * Commit only if the head is still this version (for rewrites such as compaction, which read
   * the old files before taking the write lease).
   */
  expectedVersion?: number;
  /** Checked inside the commit transaction (see CommitGuard). */
  commitGuard?: CommitGuard;
  /** Called as partitions are written. */
  onProgress?: (done: number, total: number) => void;
}

/** Options of committing a staged table. */
export interface CommitOptions extends WriteOptions {
  /** Columns the staged table leaves out, with the SQL of their value (`StagedInput.columnSql`). */
  columnSql?: ReadonlyMap<string, string>;
}

/** What a committed write produced. */
export interface WriteResult {
  dataset: string;
  /** The new version, or the unchanged head when there was nothing to write. */
  version: number;
  rowsWritten: number;
  partitions: string[];
  filesAdded: string[];
  filesRemoved: number;
}

interface PartitionGroup {
  part: string;
  rows: number;
  /** Raw value of the partition column (column partitioning only). */
  value: string | null;
  /** Smallest and largest primary key among the group's rows. */
  minKey: unknown[];
  maxKey: unknown[];
}

/** The column a column-partitioned dataset is partitioned by (kept in folder names, not files). */
function columnPartitionKey(dataset: Dataset): string | undefined {
  return dataset.partitioning.kind === 'column' ? dataset.partitioning.column : undefined;
}

/**
 * A key column as the catalog records it. A column-partition key is not stored in the file: it
 * is compared as text, like the folder name it comes from when a file is read back, and in a
 * written file (`partValue` given) it is the partition's value.
 */
function keyColumnSql(dataset: Dataset, k: string, partValue?: string | null): string {
  if (k !== columnPartitionKey(dataset)) return ident(k);
  return partValue === undefined ? `CAST(${ident(k)} AS VARCHAR)` : literal(partValue ?? '');
}

/** `mn` and `mx` columns: the smallest and largest primary key of a file, as JSON objects. */
function keyRangeSql(dataset: Dataset, partValue: string | null): string {
  const struct = dataset.primaryKey
    .map((k) => `${ident(k)} := ${keyColumnSql(dataset, k, partValue)}`)
    .join(', ');
  if (!struct) return 'NULL AS mn, NULL AS mx';
  return `CAST(to_json(min(struct_pack(${struct}))) AS VARCHAR) AS mn, CAST(to_json(max(struct_pack(${struct}))) AS VARCHAR) AS mx`;
}

/**
 * Rows, partition value and key range (`mn`, `mx`) of each partition of a staged table's good
 * rows. The key range is found in two steps, since comparing a struct per row is slow: group by
 * the partition and every key column but the last, keeping the last one's min and max; then the
 * lowest and highest (key prefix, min / max) over those groups are the partition's lowest and
 * highest keys. On 619k bars this takes half the time of `min(struct_pack(...))` over the rows.
 */
function partitionGroupsSql(dataset: Dataset, table: string): string {
  const partCol = columnPartitionKey(dataset);
  const prefix = dataset.primaryKey.slice(0, -1);
  const last = dataset.primaryKey.at(-1);
  const inner = [
    '_part',
    'count(*) AS _n',
    `${partCol ? `any_value(CAST(${ident(partCol)} AS VARCHAR))` : 'NULL'} AS _value`,
    ...prefix.map((k, i) => `${keyColumnSql(dataset, k)} AS _k${i}`),
  ];
  let range = 'NULL AS mn, NULL AS mx';
  if (last !== undefined) {
    const lastSql = keyColumnSql(dataset, last);
    inner.push(`min(${lastSql}) AS _lo`, `max(${lastSql}) AS _hi`);
    const struct = (end: string): string =>
      [...prefix.map((k, i) => `${ident(k)} := _k${i}`), `${ident(last)} := ${end}`].join(', ');
    range = `CAST(to_json(min(struct_pack(${struct('_lo')}))) AS VARCHAR) AS mn, CAST(to_json(max(struct_pack(${struct('_hi')}))) AS VARCHAR) AS mx`;
  }
  const groupBy = ['_part', ...prefix.map((_, i) => `_k${i}`)].join(', ');
  return `WITH g AS (SELECT ${inner.join(', ')} FROM ${ident(table)} WHERE _reason IS NULL GROUP BY ${groupBy}) SELECT _part AS part, sum(_n)::BIGINT AS rows, any_value(_value) AS value, ${range} FROM g GROUP BY _part ORDER BY _part`;
}

function keyOf(dataset: Dataset, json: unknown): unknown[] {
  if (typeof json !== 'string' || !json) return [];
  const obj = JSON.parse(json) as Record<string, unknown>;
  return dataset.primaryKey.map((k) => obj[k]);
}

/**
 * Commits the good rows of a staged temp table (see `stageInput`) to the dataset, under the
 * dataset's write lease: stage Parquet files, fsync, rename into place, then one catalog
 * transaction makes version N+1. A crash at any point leaves version N intact and readable.
 */
export async function commitStaged(
  ctx: LakeContext,
  conn: DuckDBConnection,
  dataset: Dataset,
  table: string,
  options: CommitOptions = {},
): Promise<WriteResult> {
  const mode = options.mode ?? 'append';
  const groups = (await conn.runAndReadAll(partitionGroupsSql(dataset, table)))
    .getRowObjectsJson()
    .map((r) => ({
      part: text(r['part']),
      rows: Number(r['rows']),
      value: r['value'] === null ? null : text(r['value']),
      minKey: keyOf(dataset, r['mn']),
      maxKey: keyOf(dataset, r['mx']),
    }));
  const explicit = (options.partitions ?? []).map((p) => normalizePartition(dataset, p));
  if (mode === 'replace' && explicit.length > 0) {
    const outside = groups.filter((g) => !explicit.includes(g.part));
    if (outside.length > 0) {
      throw new LakeBadDataError(
        `The write has rows for partition ${outside[0]?.part}, which is not among the partitions to replace (${explicit.join(', ')}). Add it to the list or filter the rows.`,
        { details: { dataset: dataset.name, partitions: outside.map((g) => g.part) } },
      );
    }
  }
  const affected = [
    ...new Set([...groups.map((g) => g.part), ...(mode === 'replace' ? explicit : [])]),
  ].sort();
  const rowsWritten = groups.reduce((s, g) => s + g.rows, 0);
  if (affected.length === 0) {
    return {
      dataset: dataset.name,
      version: dataset.headVersion,
      rowsWritten: 0,
      partitions: [],
      filesAdded: [],
      filesRemoved: 0,
    };
  }

  const lease = await acquireLease(ctx.store, `lake:${dataset.name}`, {
    waitMs: ctx.writeLockWaitMs,
  });
  const writeId = newId();
  const stagingDir = ctx.layout.stagingDir(dataset.name, writeId);
  const renamed: string[] = [];
  let committed = false;
  let source = table;
  try {
    const head = await ctx.store.db
      .selectFrom('datasets')
      .select('head_version')
      .where('name', '=', dataset.name)
      .executeTakeFirstOrThrow();
    const base = Number(head.head_version);
    if (options.expectedVersion !== undefined && base !== options.expectedVersion) {
      throw new LakeCommitConflictError(
        `"${dataset.name}" moved from version ${options.expectedVersion} to ${base} meanwhile; run the operation again.`,
        {
          details: { dataset: dataset.name, expected: options.expectedVersion, head: base },
        },
      );
    }
    const existing = await filesAt(ctx.store, dataset.name, base, affected);
    const keyed = dataset.primaryKey.length > 0;
    // Rows already in key order (a history file sorted by symbol and date) are written as they
    // are; every file is checked after it is written, and sorted if it has to be.
    let presorted = keyed && (await looksPresorted(conn, dataset, table));
    source = await sortedSource(conn, table, groups.length, presorted);
    mkdirSync(stagingDir, { recursive: true });

    const added: WrittenFile[] = [];
    const pending: PendingCheck[] = [];
    let guessChecked = false;
    const removed: LakeFile[] = [];
    let done = 0;
    for (const part of affected) {
      const group = groups.find((g) => g.part === part);
      const old = existing.filter((f) => f.partition === part);
      const merge = mode === 'append' && keyed && old.length > 0;
      if (mode === 'replace' || merge) removed.push(...old);
      if (group) {
        const write: PartitionWrite = {
          mergeWith: merge ? old : [],
          stagingDir,
          columnSql: options.columnSql,
          sort: !presorted || merge,
        };
        let file = await writePartition(ctx, conn, dataset, source, group, write);
        if (keyed && !write.sort && !guessChecked) {
          // The first file written on the guess is checked at once: a wrong guess costs one file.
          guessChecked = true;
          const [order] = await checkKeyOrder(conn, dataset, [
            { path: file.staged, rows: file.rows },
          ]);
          if ((order?.unordered ?? 0) > 0) {
            presorted = false;
            rmSync(file.staged, { force: true });
            write.sort = true;
            file = await writePartition(ctx, conn, dataset, source, group, write);
            pending.push({ index: added.length, group, write });
          } else if ((order?.repeated ?? 0) > 0) {
            throw repeatedKeysError(dataset, [part]);
          }
        } else if (keyed) pending.push({ index: added.length, group, write });
        added.push(file);
        if (added.length === 1) failpoint('lake.write.staging');
      }
      options.onProgress?.(++done, affected.length);
    }

    await settleKeyOrder(ctx, conn, dataset, source, added, pending);

    for (const f of added) fsyncFile(f.staged);
    const dirs = new Set<string>();
    for (const f of added) {
      const target = ctx.layout.absolute(f.path);
      durableRename(f.staged, target);
      renamed.push(target);
      dirs.add(path.dirname(target));
    }
    for (const d of dirs) fsyncDir(d);
    fsyncDir(ctx.layout.datasetDir(dataset.name));
    failpoint('lake.write.renamed');

    failpoint('lake.commit.before');
    const version = await commitVersion(ctx.store, {
      dataset: dataset.name,
      baseVersion: base,
      operation: options.operation ?? 'write',
      writer: options.writer ?? 'api',
      added: added.map(({ staged: _staged, ...f }) => f),
      removedIds: removed.map((f) => f.id),
      partitions: affected,
      guard: options.commitGuard,
    });
    committed = true;
    failpoint('lake.commit.after');
    await writeManifest(ctx, dataset.name, version.version);
    return {
      dataset: dataset.name,
      version: version.version,
      rowsWritten,
      partitions: affected,
      filesAdded: added.map((f) => f.path),
      filesRemoved: removed.length,
    };
  } finally {
    if (!committed) for (const f of renamed) rmSync(f, { force: true });
    rmSync(stagingDir, { recursive: true, force: true });
    if (source !== table)
      await conn.run(`DROP TABLE IF EXISTS ${ident(source)}`).catch(() => undefined);
    await lease.release();
  }
}

/**
 * With many partitions (minute bars by date), clustering the staged rows by partition once lets
 * each partition's COPY skip other partitions' row groups instead of scanning everything again.
 * With few partitions the extra pass costs more than the repeated scans.
 */
async function sortedSource(
  conn: DuckDBConnection,
  table: string,
  partitions: number,
  presorted: boolean,
): Promise<string> {
  if (partitions <= 64) return table;
  const sorted = `${table}_by_part`;
  // Rows in key order keep their order within each partition (DuckDB's sort is not stable).
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${ident(sorted)} AS SELECT * FROM ${ident(table)} WHERE _reason IS NULL ORDER BY _part${presorted ? ', rowid' : ''}`,
  );
  return sorted;
}

/** A written file whose key order is still to be checked (`settleKeyOrder`). */
interface PendingCheck {
  /** Its index in the write's list of added files. */
  index: number;
  group: PartitionGroup;
  write: PartitionWrite;
}

/**
 * Checks the key order of the files written without a check yet (`checkKeyOrder`): a file
 * written unsorted, on the guess that its rows were in key order, is written again sorted when
 * they were not; a repeated key fails the write with `LakeDuplicateKeysError`.
 */
async function settleKeyOrder(
  ctx: LakeContext,
  conn: DuckDBConnection,
  dataset: Dataset,
  source: string,
  added: WrittenFile[],
  pending: readonly PendingCheck[],
): Promise<void> {
  const fileOf = (p: PendingCheck): { path: string; rows: number } => ({
    path: added[p.index]?.staged ?? '',
    rows: added[p.index]?.rows ?? 0,
  });
  const orders = await checkKeyOrder(conn, dataset, pending.map(fileOf));
  const redo = pending.filter((p, k) => (orders[k]?.unordered ?? 0) > 0 && !p.write.sort);
  for (const p of redo) {
    rmSync(fileOf(p).path, { force: true });
    added[p.index] = await writePartition(ctx, conn, dataset, source, p.group, {
      ...p.write,
      sort: true,
    });
  }
  const again = await checkKeyOrder(conn, dataset, redo.map(fileOf));
  const final = pending.map((p, k) => {
    const r = redo.indexOf(p);
    return { part: p.group.part, order: (r >= 0 ? again[r] : orders[k]) ?? orders[k] };
  });
  const repeated = final.filter((f) => (f.order?.repeated ?? 0) > 0).map((f) => f.part);
  if (repeated.length > 0) throw repeatedKeysError(dataset, repeated);
  const unordered = final.find((f) => (f.order?.unordered ?? 0) > 0);
  if (unordered) {
    throw new LakeBadDataError(
      `The sorted file of ${dataset.name} partition ${unordered.part} is not in key order: DuckDB's sort and comparison disagree on some key (${dataset.primaryKey.join(', ')}). Nothing was committed; report it with the key values.`,
      { details: { dataset: dataset.name, partition: unordered.part } },
    );
  }
}

/** The error of a write whose files repeat a key (callers name the keys: `findDuplicateKeys`). */
function repeatedKeysError(
  dataset: Dataset,
  partitions: readonly string[],
): LakeDuplicateKeysError {
  return new LakeDuplicateKeysError(
    `The write repeats primary keys of ${dataset.name} (${dataset.primaryKey.join(', ')}) in partition ${partitions.join(', ')}. Keep one row per key.`,
    { details: { dataset: dataset.name, partitions: [...partitions] } },
  );
}

/** A partition's file in the staging folder, before it is renamed into the lake. */
type WrittenFile = NewLakeFile & { staged: string };

/** How one partition's file is written. */
interface PartitionWrite {
  /** Files of the partition whose rows the new file keeps unless the write replaces their key. */
  mergeWith: LakeFile[];
  stagingDir: string;
  columnSql: ReadonlyMap<string, string> | undefined;
  /** Sort by the key; without, the rows keep the staged table's order. */
  sort: boolean;
}

async function writePartition(
  ctx: LakeContext,
  conn: DuckDBConnection,
  dataset: Dataset,
  source: string,
  group: PartitionGroup,
  { mergeWith, stagingDir, columnSql, sort }: PartitionWrite,
): Promise<WrittenFile> {
  const cols = fileColumns(dataset).map(ident).join(', ');
  const values = fileColumns(dataset)
    .map((c) => `${stagedColumn(columnSql, c)} AS ${ident(c)}`)
    .join(', ');
  const pk = dataset.primaryKey.map(ident);
  const fresh = `SELECT ${values} FROM ${ident(source)} WHERE _part = ${literal(group.part)} AND _reason IS NULL`;
  const content =
    mergeWith.length > 0
      ? `SELECT ${cols} FROM (${scanSql(dataset, ctx.layout, mergeWith)}) AS e ANTI JOIN (SELECT ${pk.join(', ')} FROM ${ident(source)} WHERE _part = ${literal(group.part)} AND _reason IS NULL) AS n USING (${pk.join(', ')}) UNION ALL ${fresh}`
      : fresh;
  const id = newId();
  const staged = path.join(stagingDir, `${id}.parquet`);
  const sortKey = fileSortKey(dataset).map(ident);
  const order = sort && sortKey.length > 0 ? ` ORDER BY ${sortKey.join(', ')}` : '';
  await conn.run(
    `COPY (SELECT * FROM (${content})${order}) TO ${literal(staged)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE ${ctx.rowGroupSize})`,
  );
  // A new partition holds exactly the group's rows, whose count and key range staging knows;
  // a merged one is read back.
  const stats =
    mergeWith.length === 0
      ? { n: group.rows, minKey: group.minKey, maxKey: group.maxKey }
      : await fileStats(conn, dataset, staged, group.value);
  return {
    id,
    path: ctx.layout.relativeFile(dataset.name, group.part, id),
    partition: group.part,
    rows: stats.n,
    bytes: statSync(staged).size,
    minKey: stats.minKey,
    maxKey: stats.maxKey,
    staged,
  };
}

async function fileStats(
  conn: DuckDBConnection,
  dataset: Dataset,
  file: string,
  partValue: string | null,
): Promise<{ n: number; minKey: unknown[]; maxKey: unknown[] }> {
  const row = (
    await conn.runAndReadAll(
      `SELECT count(*)::BIGINT AS n, ${keyRangeSql(dataset, partValue)} FROM read_parquet(${literal(file)})`,
    )
  ).getRowObjectsJson()[0] as { n: string; mn: unknown; mx: unknown };
  return { n: Number(row.n), minKey: keyOf(dataset, row.mn), maxKey: keyOf(dataset, row.mx) };
}
