import { datasetSummaries, type Lake } from '../lake/index.js';
import type { MetricsCollector } from '../observe/index.js';

/** How long dataset sizes are reused between scrapes: one catalogue read per dataset each time. */
export const LAKE_COLLECTOR_MAX_AGE_MS = 15_000;

/** A metrics collector reporting each dataset's head-version bytes, files and rows. */
export function lakeCollector(lake: Lake): MetricsCollector {
  return async () => ({
    lakeDatasets: (await datasetSummaries(lake)).map((d) => ({
      dataset: d.name,
      bytes: d.bytes,
      files: d.files,
      rows: d.rows,
    })),
  });
}
