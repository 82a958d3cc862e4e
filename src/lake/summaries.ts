import type { Dataset } from './dataset-spec.js';
import type { Lake } from './lake.js';

/** A dataset with the totals of its head version, as `lake ls` shows it. */
export interface DatasetSummary {
  name: string;
  description: string;
  builtin: boolean;
  version: number;
  rows: number;
  bytes: number;
  files: number;
  partitioning: string;
  primaryKey: string[];
  updatedAt: string;
}

/** Describes a partitioning in a few words (`year(date)`, `symbol`, `none`). */
export function describePartitioning(d: Pick<Dataset, 'partitioning'>): string {
  const p = d.partitioning;
  return p.kind === 'none' ? 'none' : p.kind === 'column' ? p.column : `${p.kind}(${p.column})`;
}

/** Every dataset with its head version's row, byte and file counts. */
export async function datasetSummaries(lake: Lake): Promise<DatasetSummary[]> {
  const out: DatasetSummary[] = [];
  for (const d of await lake.datasets()) {
    const [head] = d.headVersion > 0 ? await lake.history(d.name, 1) : [];
    out.push({
      name: d.name,
      description: d.description,
      builtin: d.builtin,
      version: d.headVersion,
      rows: head?.rows ?? 0,
      bytes: head?.bytes ?? 0,
      files: head?.files ?? 0,
      partitioning: describePartitioning(d),
      primaryKey: d.primaryKey,
      updatedAt: d.updatedAt,
    });
  }
  return out;
}
