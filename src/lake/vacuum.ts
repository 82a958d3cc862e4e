import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { acquireLease } from '../meta/index.js';
import type { Dataset } from './dataset-spec.js';
import type { LakeContext } from './lake-context.js';
import { writeManifest } from './manifest.js';

/** What vacuum removed. */
export interface VacuumResult {
  /** Versions no longer readable (older than the retention). */
  versionsRemoved: number;
  /** Superseded data files deleted. */
  filesRemoved: number;
  bytesRemoved: number;
  /** Files on disk that no committed version lists (left by a crash between rename and commit). */
  orphansRemoved: number;
  /** Staging folders left by crashed writers (and imports' decompressed copies over a day old). */
  stagingRemoved: number;
}

/** Age after which an import's decompressed copy was surely left by a crash. */
const IMPORT_COPY_MAX_AGE_MS = 24 * 3600 * 1000;

function listParquet(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('_') || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listParquet(full));
    else if (entry.name.endsWith('.parquet')) out.push(full);
  }
  return out;
}

/**
 * Cleans one dataset under its write lease (so no writer is between rename and commit):
 * orphaned files and staging folders always; with `retentionMs`, also versions that stopped being
 * current before `now - retentionMs` and the files only they used. The newest version at the
 * cutoff is kept, so a reader can time-travel to any moment within the retention.
 */
export async function vacuumDataset(
  ctx: LakeContext,
  dataset: Dataset,
  options: { retentionMs?: number; now?: number },
): Promise<VacuumResult> {
  const result: VacuumResult = {
    versionsRemoved: 0,
    filesRemoved: 0,
    bytesRemoved: 0,
    orphansRemoved: 0,
    stagingRemoved: 0,
  };
  const lease = await acquireLease(ctx.store, `lake:${dataset.name}`, {
    waitMs: ctx.writeLockWaitMs,
  });
  try {
    const staging = ctx.layout.stagingRoot;
    if (existsSync(staging)) {
      for (const entry of readdirSync(staging)) {
        const full = path.join(staging, entry);
        // An import's decompressed copy has no lease; a day-old one was left by a crash.
        const crashedCopy =
          entry.startsWith(ctx.layout.importCopyPrefix(dataset.name)) &&
          statSync(full).mtimeMs < (options.now ?? Date.now()) - IMPORT_COPY_MAX_AGE_MS;
        if (entry.startsWith(`${dataset.name}--`) || crashedCopy) {
          rmSync(full, { recursive: true, force: true });
          result.stagingRemoved++;
        }
      }
    }
    if (options.retentionMs !== undefined) {
      const cutoff = new Date((options.now ?? Date.now()) - options.retentionMs).toISOString();
      const keep = await ctx.store.db
        .selectFrom('dataset_versions')
        .select((eb) => eb.fn.max('version').as('v'))
        .where('dataset', '=', dataset.name)
        .where('created_at', '<=', cutoff)
        .executeTakeFirst();
      const keepFrom = Number(keep?.v ?? 0);
      if (keepFrom > 0) {
        const doomed = await ctx.store.transaction(async (trx) => {
          const files = await trx
            .selectFrom('lake_files')
            .select(['id', 'path', 'byte_count'])
            .where('dataset', '=', dataset.name)
            .where('removed_version', 'is not', null)
            .where('removed_version', '<=', keepFrom)
            .execute();
          for (let i = 0; i < files.length; i += 500) {
            await trx
              .deleteFrom('lake_files')
              .where(
                'id',
                'in',
                files.slice(i, i + 500).map((f) => f.id),
              )
              .execute();
          }
          const versions = await trx
            .deleteFrom('dataset_versions')
            .where('dataset', '=', dataset.name)
            .where('version', '<', keepFrom)
            .executeTakeFirst();
          result.versionsRemoved = Number(versions.numDeletedRows);
          return files;
        });
        for (const f of doomed) {
          rmSync(ctx.layout.absolute(f.path), { force: true });
          result.filesRemoved++;
          result.bytesRemoved += Number(f.byte_count);
        }
      }
    }
    const known = new Set(
      (
        await ctx.store.db
          .selectFrom('lake_files')
          .select('path')
          .where('dataset', '=', dataset.name)
          .execute()
      ).map((r) => ctx.layout.absolute(r.path)),
    );
    for (const file of listParquet(ctx.layout.datasetDir(dataset.name))) {
      if (!known.has(file)) {
        result.bytesRemoved += statSync(file).size;
        rmSync(file, { force: true });
        result.orphansRemoved++;
      }
    }
    const head = await ctx.store.db
      .selectFrom('datasets')
      .select('head_version')
      .where('name', '=', dataset.name)
      .executeTakeFirstOrThrow();
    if (Number(head.head_version) > 0)
      await writeManifest(ctx, dataset.name, Number(head.head_version));
  } finally {
    await lease.release();
  }
  return result;
}
