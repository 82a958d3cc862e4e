import type { Registry } from 'prom-client';
import { CompactFamily, escapeHelp, escapeLabelValue, formatValue } from './compact-instruments.js';

/** What prom-client metrics return from `get()`, as far as rendering needs. */
interface FamilyData {
  name: string;
  help: string;
  type: unknown;
  values: {
    value: number;
    labels: Record<string, string | number | undefined>;
    metricName?: string;
  }[];
}

/**
 * Renders a registry in the Prometheus text format (0.0.4), byte for byte what
 * `registry.metrics()` returns for the metrics marketlake registers (no default or shared
 * labels, no exemplars; a test compares both). The platform's own families render from their
 * cached label text; other metrics (the process metrics, anything a caller adds to the
 * registry) go through prom-client's `get()` and a lean formatter, since prom-client's own
 * formatter allocates several objects per line. The blocks are flat strings, joined once into
 * the flat body a response writes without another pass.
 */
export async function renderExposition(registry: Registry): Promise<string> {
  // The registry holds metric instances; its typings describe them as plain metric objects.
  const metrics = registry.getMetricsAsArray() as unknown as object[];
  const blocks = await Promise.all(
    metrics.map(async (metric) => {
      if (metric instanceof CompactFamily) return metric.render();
      const family = await (metric as { get(): Promise<FamilyData> }).get();
      const out = header(family.name, family.help, String(family.type));
      for (const sample of family.values) {
        const name = sample.metricName ?? family.name;
        out.push(`${name}${renderLabels(sample.labels)} ${formatValue(sample.value)}`);
      }
      return out.join('\n');
    }),
  );
  // The newline goes on the last block, not the joined text: the body stays one flat string.
  if (blocks.length === 0) return '\n';
  blocks[blocks.length - 1] += '\n';
  return blocks.join('\n\n');
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
}

function renderLabels(labels: Readonly<Record<string, string | number | undefined>>): string {
  let out = '';
  for (const key in labels) {
    const value = labels[key];
    if (value === undefined) continue;
    const text = typeof value === 'string' ? escapeLabelValue(value) : String(value);
    out += `${out === '' ? '' : ','}${key}="${text}"`;
  }
  return out === '' ? '' : `{${out}}`;
}
