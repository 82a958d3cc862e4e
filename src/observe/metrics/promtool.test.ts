import { describe, expect, it } from 'vitest';
import { prometheusTool, runTool } from '../../../test/helpers/prometheus-tools.js';
import { familyTypes } from '../../../test/helpers/prom-text.js';
import { touchEveryMetric } from '../../../test/helpers/touch-metrics.js';
import { createMetrics } from './platform-metrics.js';

/*
 * `promtool check metrics` lints an exposition against Prometheus's naming conventions (help
 * text, `_total` on counters only, base units, no type in names, snake_case). The scrape of a
 * platform with every metric holding samples, process metrics included, must have no finding.
 */

const promtool = prometheusTool('promtool');

describe.skipIf(!promtool)('promtool check metrics', () => {
  it('finds nothing in a fully populated scrape', async () => {
    const metrics = createMetrics();
    touchEveryMetric(metrics);
    const { body } = await metrics.scrape();
    // Every platform family has samples, so the lint saw every name and label set (runtime
    // families such as active requests may legitimately be empty).
    const sampled = new Set(
      body
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map((l) => /^[^{ ]+/.exec(l)![0].replace(/_(bucket|sum|count)$/, '')),
    );
    const platformFamilies = [...familyTypes(body).keys()].filter(
      (n) => !/^marketlake_(process|nodejs)_/.test(n),
    );
    expect(platformFamilies.length).toBeGreaterThan(25);
    for (const name of platformFamilies) expect(sampled, name).toContain(name);
    const run = runTool(promtool!, ['check', 'metrics'], body);
    expect(run.output).toBe('');
    expect(run.status).toBe(0);
  });

  it('is the lint that would catch a bad name (the check is live)', () => {
    const bad =
      '# HELP bad_gauge_total A gauge.\n# TYPE bad_gauge_total gauge\nbad_gauge_total 1\n';
    const run = runTool(promtool!, ['check', 'metrics'], bad);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/non-counter metrics should not have "_total" suffix/);
  });
});
