/**
 * Histogram buckets. Fewer buckets mean cheaper scrapes (every bucket is one series per label
 * set, and attempt durations are labelled by asset), so each set covers its range roughly
 * logarithmically with no more resolution than the dashboards and alerts use.
 */

/** Attempt wall time and queue time: 10 ms up to 6 h (a long backfill partition). */
export const TASK_DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21600,
];

/** HTTP requests, served and sent (connectors): 1 ms up to 1 min. */
export const REQUEST_DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
