import { filesAt } from './catalog.js';
import type { Dataset } from './dataset-spec.js';
import type { LakeContext } from './lake-context.js';
import { partitionKeySql } from './partitions.js';
import { scanSql } from './scan.js';
import { ident } from './sql.js';
import { commitStaged } from './write-commit.js';

/** What compaction did to one dataset. */
export interface CompactResult {
  dataset: string;
  version: number;
  partitions: string[];
  filesBefore: number;
  filesAfter: number;
}

/**
 * Merges the files of each partition that has more than one file and at least one small file
 * into one sorted file, as a new version with the same rows (readers of older versions are
 * undisturbed).
 */
export async function compactDataset(
  ctx: LakeContext,
  dataset: Dataset,
  options: {
    smallFileBytes: number;
    writer?: string;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<CompactResult> {
  const files =
    dataset.headVersion === 0 ? [] : await filesAt(ctx.store, dataset.name, dataset.headVersion);
  const byPartition = new Map<string, typeof files>();
  for (const f of files) byPartition.set(f.partition, [...(byPartition.get(f.partition) ?? []), f]);
  const targets = [...byPartition.entries()].filter(
    ([, fs]) => fs.length > 1 && fs.some((f) => f.bytes < options.smallFileBytes),
  );
  if (targets.length === 0) {
    return {
      dataset: dataset.name,
      version: dataset.headVersion,
      partitions: [],
      filesBefore: files.length,
      filesAfter: files.length,
    };
  }
  const table = `_compact_${dataset.name}`;
  const parts = targets.map(([p]) => p);
  const result = await ctx.engine.withConnection(async (conn) => {
    // Each row's `_part` is computed again from its columns: a row whose folder would differ
    // (none should) makes the commit refuse the write as outside the partitions it replaces.
    const fs = targets.flatMap(([, f]) => f);
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${ident(table)} AS SELECT *, ${partitionKeySql(dataset)} AS _part, CAST(NULL AS VARCHAR) AS _reason, CAST(NULL AS VARCHAR) AS _raw FROM (${scanSql(dataset, ctx.layout, fs)})`,
    );
    try {
      return await commitStaged(ctx, conn, dataset, table, {
        mode: 'replace',
        partitions: parts,
        expectedVersion: dataset.headVersion,
        operation: 'compact',
        writer: options.writer ?? 'compact',
        onProgress: options.onProgress,
      });
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${ident(table)}`);
    }
  });
  const removed = targets.reduce((s, [, fs]) => s + fs.length, 0);
  return {
    dataset: dataset.name,
    version: result.version,
    partitions: parts,
    filesBefore: files.length,
    filesAfter: files.length - removed + result.filesAdded.length,
  };
}
