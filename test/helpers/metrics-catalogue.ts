import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './dist.js';

/** One row of docs/metrics.md. */
export interface CatalogueEntry {
  name: string;
  type: string;
  unit: string;
  labels: string[];
  meaning: string;
}

const ROW =
  /^\|\s*`(marketlake_[a-z0-9_]+)`\s*\|\s*([a-z]+)\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|\s*$/;

/** The metric rows of docs/metrics.md, by name (a name listed twice is an error). */
export function readCatalogue(): Map<string, CatalogueEntry> {
  const text = readFileSync(path.join(repoRoot, 'docs', 'metrics.md'), 'utf8');
  const out = new Map<string, CatalogueEntry>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('| `marketlake_')) continue;
    const m = ROW.exec(line);
    if (!m) throw new Error(`docs/metrics.md: malformed catalogue row: ${line}`);
    const [, name, type, unit, labels, meaning] = m as unknown as string[];
    if (out.has(name!)) throw new Error(`docs/metrics.md lists ${name} twice`);
    out.set(name!, {
      name: name!,
      type: type!,
      unit: unit!,
      labels: [...labels!.matchAll(/`([a-z_]+)`/g)].map((l) => l[1]!),
      meaning: meaning!,
    });
  }
  return out;
}

/**
 * The catalogue metrics a PromQL expression (or any text) names: `marketlake_*` tokens, with a
 * histogram's `_bucket`/`_sum`/`_count` series mapped to the histogram. Names not in the
 * catalogue are returned as they are, so the caller can report them.
 */
export function metricsNamedIn(text: string, catalogue: Map<string, CatalogueEntry>): Set<string> {
  const out = new Set<string>();
  for (const [token] of text.matchAll(/\bmarketlake_[a-z0-9_]+/g)) {
    const base = token.replace(/_(bucket|sum|count)$/, '');
    out.add(base !== token && catalogue.get(base)?.type === 'histogram' ? base : token);
  }
  return out;
}
