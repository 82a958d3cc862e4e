import { describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { withLake } from '../../../test/helpers/with-lake.js';
import { createLogger } from '../../core/index.js';
import { DEFAULT_ALERT_SETTINGS, evaluateRules } from '../../observe/index.js';
import { AlertSnapshotReader } from './alert-snapshot-reader.js';

const NOW = Date.UTC(2024, 4, 7, 22, 0);

function checkRun(check: string, severity: string, passed: boolean, ranAt: string, partition = '') {
  return {
    run_id: `r_${ranAt}`,
    asset: 'bars_1d',
    partition,
    check,
    severity,
    blocking: false,
    passed,
    failing_count: passed ? 0 : 3,
    checked_rows: 100,
    params: '{}',
    duration_ms: 5,
    ran_at: ranAt,
  };
}

describe.each(backends)('check alerts from the lake on $name', (backend) => {
  it.skipIf(backend.skip)('reads the latest run of each check of each asset', async () => {
    await withLake(backend, async ({ lake, store }) => {
      await lake.write('check_runs', {
        rows: [
          checkRun('ohlc', 'error', false, '2024-05-06 21:00:00', 'year=2024'),
          checkRun('ohlc', 'error', true, '2024-05-07 21:00:00', 'year=2024'),
          checkRun('stale_prices', 'warn', true, '2024-05-06 21:00:00', 'year=2023'),
          checkRun('stale_prices', 'warn', false, '2024-05-07 21:00:00', 'year=2024'),
          checkRun('duplicates', 'error', false, '2024-05-07 21:00:00'),
        ],
      });
      const reader = new AlertSnapshotReader({
        meta: store,
        lake,
        project: () => undefined,
        thresholds: DEFAULT_ALERT_SETTINGS,
        logger: createLogger({ level: 'silent' }),
      });
      const snapshot = await reader.read(NOW);
      expect(
        snapshot.checks
          .map((c) => `${c.check} ${c.partition} ${c.passed ? 'passed' : 'failed'}`)
          .sort(),
      ).toEqual(['duplicates  failed', 'ohlc year=2024 passed', 'stale_prices year=2024 failed']);
      const alerts = evaluateRules(snapshot, DEFAULT_ALERT_SETTINGS);
      expect(alerts.map((a) => [a.rule, a.labels['check'], a.severity]).sort()).toEqual([
        ['check_failed', 'duplicates', 'critical'],
        ['check_failed', 'stale_prices', 'warning'],
      ]);
    });
  });
});
