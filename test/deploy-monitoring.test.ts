import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/dist.js';
import { metricsNamedIn, readCatalogue } from './helpers/metrics-catalogue.js';
import { prometheusTool, runTool } from './helpers/prometheus-tools.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';

/*
 * The shipped monitoring files: Prometheus alerting rules (valid, unit-tested, over catalogue
 * metrics only) and the Grafana dashboard (well-formed, importable with a data-source input,
 * every query valid PromQL over catalogue metrics only).
 */

const promtool = prometheusTool('promtool');
const catalogue = readCatalogue();
const alertsFile = path.join(repoRoot, 'deploy', 'prometheus', 'alerts.yml');
const alertsTestFile = path.join(repoRoot, 'deploy', 'prometheus', 'alerts.test.yml');
const dashboardFile = path.join(repoRoot, 'deploy', 'grafana', 'marketlake.json');
const tmp = makeTempDir();
afterAll(() => removeDir(tmp));

/** Metric names in `text` that docs/metrics.md does not list (Prometheus's own `up` aside). */
function unknownMetrics(text: string): string[] {
  return [...metricsNamedIn(text, catalogue)].filter((n) => !catalogue.has(n));
}

interface Target {
  expr: string;
  refId: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Dashboard {
  __inputs: { name: string; type: string; pluginId: string }[];
  schemaVersion: number;
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query: { query: string } }[] };
}

const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, target: t })));

describe('deploy/prometheus/alerts.yml', () => {
  const text = readFileSync(alertsFile, 'utf8');

  it('names only catalogue metrics', () => {
    expect(unknownMetrics(text)).toEqual([]);
  });

  it('alerts on failed runs, stale assets, failed checks, lost workers, schedule lag and a down target', () => {
    const alerts = [...text.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(alerts).toEqual(
      expect.arrayContaining([
        'MarketlakeRunFailed',
        'MarketlakeAssetStale',
        'MarketlakeCheckFailed',
        'MarketlakeWorkerLost',
        'MarketlakeScheduleLagging',
        'MarketlakeTargetDown',
      ]),
    );
  });

  it.skipIf(!promtool)('passes promtool check rules', () => {
    const run = runTool(promtool!, ['check', 'rules', alertsFile]);
    expect(run.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(run.status).toBe(0);
  });

  it.skipIf(!promtool)('passes its unit tests (promtool test rules)', () => {
    const run = runTool(promtool!, ['test', 'rules', alertsTestFile]);
    expect(run.output).toMatch(/SUCCESS/);
    expect(run.output).not.toMatch(/FAILED/);
    expect(run.status).toBe(0);
  });
});

describe('deploy/grafana/marketlake.json', () => {
  it('is an importable dashboard with a Prometheus data-source input', () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({
        name: 'DS_PROMETHEUS',
        type: 'datasource',
        pluginId: 'prometheus',
      }),
    ]);
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.uid).toBe('marketlake-overview');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of queryPanels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) expect(t.datasource, p.title).toEqual(p.datasource);
    }
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      const g = p.gridPos;
      expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it('queries only catalogue metrics, and covers what the issue asks', () => {
    const all = [
      ...exprs.map((e) => e.target.expr),
      ...dashboard.templating.list.map((v) => v.query.query),
    ].join('\n');
    expect(unknownMetrics(all)).toEqual([]);
    const used = metricsNamedIn(all, catalogue);
    for (const name of [
      'marketlake_runs_total',
      'marketlake_attempt_duration_seconds',
      'marketlake_attempt_cpu_seconds_total',
      'marketlake_attempt_peak_memory_bytes',
      'marketlake_written_rows_total',
      'marketlake_queued_attempts',
      'marketlake_asset_last_success_timestamp_seconds',
      'marketlake_check_results_total',
      'marketlake_lake_dataset_size_bytes',
      'marketlake_http_request_duration_seconds',
    ]) {
      expect(used, name).toContain(name);
    }
  });

  it.skipIf(!promtool)('has only valid PromQL (each query checked as a recording rule)', () => {
    // Grafana substitutes its variables before sending a query; give them typical values.
    const rules = exprs.map(({ panel, target }) => {
      const expr = target.expr.replaceAll('$__rate_interval', '5m').replaceAll('$asset', '.*');
      return `      - record: dashboard_panel_${panel.id}_${target.refId}\n        expr: ${JSON.stringify(expr)}`;
    });
    const file = path.join(tmp, 'dashboard-queries.yml');
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
    const run = runTool(promtool!, ['check', 'rules', file]);
    expect(run.output).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(run.status).toBe(0);
  });
});
