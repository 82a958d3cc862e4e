import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/observe/index.js';
import { readCatalogue } from './helpers/metrics-catalogue.js';

/*
 * docs/metrics.md against the code, both ways: every metric the platform registers (process
 * metrics included) is listed with the same type and labels, and the table lists nothing the
 * code does not register.
 */

interface Registered {
  name: string;
  type: string;
  labelNames: readonly string[];
}

// prom-client's metric objects carry these at run time; its typings do not declare them.
const registered = createMetrics().registry.getMetricsAsArray() as unknown as Registered[];
const catalogue = readCatalogue();

describe('docs/metrics.md', () => {
  it('lists every registered metric', () => {
    const missing = registered.map((m) => m.name).filter((n) => !catalogue.has(n));
    expect(missing, 'metrics the code registers but docs/metrics.md does not list').toEqual([]);
  });

  it('lists no metric the code does not register', () => {
    const names = new Set(registered.map((m) => m.name));
    const extra = [...catalogue.keys()].filter((n) => !names.has(n));
    expect(extra, 'metrics docs/metrics.md lists but the code does not register').toEqual([]);
  });

  it('gives each metric its type and labels', () => {
    for (const m of registered) {
      const row = catalogue.get(m.name);
      expect(row?.type, `${m.name} type`).toBe(m.type);
      expect([...(row?.labels ?? [])].sort(), `${m.name} labels`).toEqual([...m.labelNames].sort());
    }
  });

  it('gives each metric a unit and a meaning, and follows the naming conventions', () => {
    expect(catalogue.size).toBeGreaterThan(50);
    for (const row of catalogue.values()) {
      expect(row.unit, row.name).not.toBe('');
      expect(row.meaning.length, row.name).toBeGreaterThan(10);
      expect(row.name.endsWith('_total'), `${row.name}: _total iff counter`).toBe(
        row.type === 'counter',
      );
      if (row.unit === 'seconds')
        expect(row.name, 'seconds in the name').toMatch(/_seconds(_total)?$/);
      if (row.unit === 'bytes') expect(row.name, 'bytes in the name').toMatch(/_bytes(_total)?$/);
      // Prometheus owns these labels on every scraped series.
      expect(row.labels, row.name).not.toContain('job');
      expect(row.labels, row.name).not.toContain('instance');
    }
  });
});
