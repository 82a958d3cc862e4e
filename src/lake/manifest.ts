import { filesAt } from './catalog.js';
import { writeFileAtomic } from './durable-fs.js';
import type { LakeContext } from './lake-context.js';

/**
 * Rewrites the dataset's symlink manifest (absolute paths of the files of `version`, one per
 * line) for engines that read the lake without marketlake. It is derived data: a crash between
 * the commit and this write is repaired by the next write or by `lake vacuum`.
 */
export async function writeManifest(
  ctx: LakeContext,
  dataset: string,
  version: number,
): Promise<void> {
  const files = await filesAt(ctx.store, dataset, version);
  writeFileAtomic(
    ctx.layout.manifest(dataset),
    files.map((f) => ctx.layout.absolute(f.path)).join('\n') + (files.length ? '\n' : ''),
  );
}
