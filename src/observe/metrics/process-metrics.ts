import { collectDefaultMetrics, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './metric-families.js';

/**
 * prom-client's default gauges that end in `_total`: `promtool check metrics` rejects them
 * ("non-counter metrics should not have _total suffix"). Each is the sum over the `type` label of
 * the metric of the same name without the suffix, which stays, so nothing is lost.
 */
const NON_COUNTER_TOTALS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Registers the process and Node.js runtime metrics (CPU, memory, fds, event loop, GC). */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(METRIC_PREFIX + name);
}
