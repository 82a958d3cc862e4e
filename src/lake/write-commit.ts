import { rmSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { failpoint, newId } from '../core/index.js';
import { acquireLease } from '../meta/index.js';
import { commitVersion, filesAt, type CommitGuard, type LakeFile } from './catalog.js';
import type { Dataset } from './dataset-spec.js';
import { durableRename, fsyncDir } from './durable-fs.js';
import { LakeBadDataError, LakeCommitConflictError } from './errors.js';
import type { LakeContext } from './lake-context.js';
import { writeManifest } from './manifest.js';
import { PartitionFiles } from './partition-files.js';
import { readPartitionGroups } from './partition-groups.js';
import { normalizePartition } from './partitions.js';
import { ident } from './sql.js';

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
  const groups = await readPartitionGroups(conn, dataset, table);
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
  let files: PartitionFiles | undefined;
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
    files = await PartitionFiles.open(
      ctx,
      conn,
      dataset,
      table,
      groups.length,
      stagingDir,
      options.columnSql,
    );
    source = files.source;
    const removed: LakeFile[] = [];
    let done = 0;
    for (const part of affected) {
      const group = groups.find((g) => g.part === part);
      const old = existing.filter((f) => f.partition === part);
      const merge = mode === 'append' && keyed && old.length > 0;
      if (mode === 'replace' || merge) removed.push(...old);
      if (group) {
        await files.write(group, merge ? old : []);
        if (files.added.length === 1) failpoint('lake.write.staging');
      }
      options.onProgress?.(++done, affected.length);
    }
    await files.settle();
    await files.synced();
    const added = files.added;

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
    // Background checks read the staged files: they end before the files go.
    await files?.close();
    if (!committed) for (const f of renamed) rmSync(f, { force: true });
    rmSync(stagingDir, { recursive: true, force: true });
    if (source !== table)
      await conn.run(`DROP TABLE IF EXISTS ${ident(source)}`).catch(() => undefined);
    await lease.release();
  }
}
