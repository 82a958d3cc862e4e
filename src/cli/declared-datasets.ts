/** The datasets a project's assets declare, registered before their attempts run. */
import type { ProjectSnapshot } from '../pipelines/index.js';
import type { CliContext } from './context.js';

/** Registers the datasets the project's assets declare (`asset({ dataset: { ... } })`). */
export async function createDeclaredDatasets(
  ctx: CliContext,
  snapshot: ProjectSnapshot,
): Promise<void> {
  for (const asset of snapshot.loaded.assets) {
    if (asset.datasetSpec === undefined) continue;
    await ctx.lake
      .createDataset(asset.datasetSpec)
      .catch((err: unknown) =>
        ctx.logger.error({ err, asset: asset.name }, 'the dataset the asset declares is invalid'),
      );
  }
}
