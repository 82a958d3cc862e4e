import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { touchEveryMetric } from '../../../test/helpers/touch-metrics.js';
import { createMetrics } from './platform-metrics.js';
import { renderExposition } from './render-exposition.js';

/*
 * The fast renderer must produce exactly what prom-client's own `registry.metrics()` does, on
 * every kind of metric marketlake registers (counters, gauges, histograms, process metrics) and
 * on label values and help texts that need escaping.
 */

/** Process metrics change between two renderings (memory, CPU); compare their lines, not values. */
function liveValuesMasked(text: string): string {
  return text.replace(/^(marketlake_(?:process|nodejs)_\S*) \S+$/gm, '$1 <value>');
}

describe('renderExposition', () => {
  it('matches prom-client byte for byte on a fully populated platform registry', async () => {
    const metrics = createMetrics();
    touchEveryMetric(metrics);
    await metrics.scrape(); // applies the collectors' gauges
    const ours = await renderExposition(metrics.registry);
    expect(liveValuesMasked(ours)).toBe(liveValuesMasked(await metrics.registry.metrics()));
    expect(ours).toMatch(/^marketlake_process_cpu_seconds_total \d/m);
    expect(ours).toContain('check="ohlc \\"consistent\\""');
    expect(ours).toContain('source="vendor\\\\a"');
  });

  it('escapes newlines and backslashes in help texts and label values like prom-client', async () => {
    const registry = new Registry();
    const c = new Counter({
      name: 'x_total',
      help: 'line one\nline \\two',
      labelNames: ['a', 'b'],
      registers: [registry],
    });
    c.inc({ a: 'multi\nline', b: 'q"uote\\' }, 2);
    c.inc({ b: 'only b' }, 1);
    expect(await renderExposition(registry)).toBe(await registry.metrics());
  });
});
