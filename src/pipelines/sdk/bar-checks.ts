/**
 * `barChecks()`: the built-in market-data quality checks (OHLC consistency, volume, duplicates,
 * missing or unexpected sessions, stale prices, limit and z-score moves, volume spikes) as one
 * asset check over a bars dataset. A session-partitioned asset checks its partition's date; an
 * asset that reported `ctx.addMetadata({ from, to })` (a file-drop ingest) checks those dates;
 * any other checks the dataset's latest `recentDays` days. Every failing key
 * is stored; the check fails (and blocks downstream, by default) when a blocking market check
 * fails.
 */
import type { AssetCheckOptions } from './asset-checks.js';
import type { AssetContext, CheckResult } from './asset-context.js';

/** Options of `barChecks`. */
export interface BarChecksOptions {
  /** Bars dataset to check (default: the asset's name). */
  dataset?: string;
  /** Which checks, with severity, blocking and parameters (default: all that fit the dataset). */
  checks?: readonly (
    | string
    | {
        name: string;
        severity?: 'warn' | 'error';
        blocking?: boolean;
        params?: Record<string, number>;
      }
  )[];
  /** Exchange calendar (MIC) for every symbol (default: each symbol's exchange in instruments). */
  calendar?: string;
  /** Days checked for an unpartitioned asset, ending at the latest date in the dataset (default 40). */
  recentDays?: number;
  /** Whether a failed blocking market check blocks downstream assets (default true). */
  blocking?: boolean;
  /** Check name (default `bar_quality`). */
  name?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The market-data quality checks as an asset check. */
export function barChecks(options: BarChecksOptions = {}): AssetCheckOptions {
  return {
    name: options.name ?? 'bar_quality',
    blocking: options.blocking ?? true,
    description: 'Market-data quality checks over the bars this asset wrote.',
    run: async (ctx: AssetContext): Promise<CheckResult> => {
      const { runMarketChecks } = await import('../../market/index.js');
      const dataset = options.dataset ?? ctx.asset;
      let from: string | undefined;
      let to: string | undefined;
      const written = ctx.reported;
      if (ctx.partition !== undefined && DAY.test(ctx.partition)) {
        from = ctx.partition;
        to = ctx.partition;
      } else if (
        typeof written?.['from'] === 'string' &&
        typeof written['to'] === 'string' &&
        DAY.test(written['from']) &&
        DAY.test(written['to'])
      ) {
        // The attempt said which dates it wrote (ctx.addMetadata({ from, to })): check those.
        from = written['from'];
        to = written['to'];
      } else {
        const days = options.recentDays ?? 40;
        const latest = await ctx.lake.query(
          `SELECT CAST(max(CAST(date AS DATE)) AS VARCHAR) AS hi, CAST(max(CAST(date AS DATE)) - INTERVAL ${Math.max(1, Math.floor(days))} DAY AS DATE) AS lo FROM ${JSON.stringify(dataset)}`,
        );
        const hi = latest.rows[0]?.['hi'];
        const lo = latest.rows[0]?.['lo'];
        if (typeof hi !== 'string' || typeof lo !== 'string')
          return { passed: true, message: 'no bars yet' };
        from = lo.slice(0, 10);
        to = hi;
      }
      const summary = await runMarketChecks(ctx.lake, {
        dataset,
        asset: ctx.asset,
        from,
        to,
        calendar: options.calendar,
        runId: ctx.runId,
        ...(options.checks ? { checks: options.checks as never } : {}),
      });
      const failed = summary.results.filter((r) => !r.passed);
      return {
        passed: !summary.blocked,
        message:
          failed.length === 0
            ? `all ${summary.results.length} checks passed on ${summary.checkedRows} rows (${from}..${to})`
            : failed.map((r) => `${r.check} (${r.severity}): ${r.failingCount}`).join(', '),
        failingKeys: failed.flatMap((r) => r.examples.map((e) => `${r.check} ${e.key}`)),
        metadata: { checkRunId: summary.runId, errors: summary.errors, warnings: summary.warnings },
      };
    },
  };
}
