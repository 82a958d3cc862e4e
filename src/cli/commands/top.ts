import type { Command } from 'commander';
import { UsageError } from '../../core/index.js';
import {
  RESOURCE_METRICS,
  assertResourceAsset,
  parsePeriodMs,
  resourceAnomalies,
  resourceTop,
  resourceTrend,
  type ResourceMetric,
  type TrendBucket,
} from '../../pipelines/index.js';
import { withContext, type GlobalFlags } from '../context.js';
import { formatBytes, formatOf, printJson, printTable } from '../output.js';
import { parseInteger } from '../parse.js';

interface TopOptions {
  since: string;
  by: string;
  limit: string;
  trend?: boolean;
  bucket?: string;
  anomalies?: boolean;
  k: string;
  json?: boolean;
}

const seconds = (s: number | null): string => (s === null ? '' : s.toFixed(s < 10 ? 2 : 1));
const bytes = (b: number | null): string => (b === null ? '' : formatBytes(b));

function change(ratio: number | null, previous: number | null): string {
  if (previous === null) return 'new';
  if (ratio === null) return '';
  return `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(0)}%`;
}

function period(text: string, flag: string): number {
  try {
    return parsePeriodMs(text, flag);
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
}

/** `marketlake top`: the assets whose attempts cost most, one asset's trend, or anomalies. */
export function topCommand(program: Command): void {
  program
    .command('top')
    .description(
      'the most expensive assets over a period (CPU, memory, wall, rows, bytes); with an asset and --trend, its history',
    )
    .argument('[asset]', 'an asset, with --trend')
    .option('--since <period>', 'the period before now: 30m, 24h, 7d, 2w', '7d')
    .option('--by <metric>', `rank by ${RESOURCE_METRICS.join(', ')}`, 'cpu')
    .option('--limit <n>', 'at most n assets (or anomalies)', '20')
    .option('--trend', "the asset's history in time buckets")
    .option('--bucket <size>', 'trend bucket: hour or day (default: hour up to 2d, else day)')
    .option('--anomalies', "attempts over k times their asset's recent median (CPU, memory, wall)")
    .option('--k <k>', 'anomaly factor', '3')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
Figures come from every attempt the executor measured: CPU is user plus system seconds, memory
the peak resident set, bytes those written to storage. "change" compares the ranking metric with
the previous period of the same length.

Examples:
  $ marketlake top
  $ marketlake top --since 24h --by memory --limit 5
  $ marketlake top bars_daily --trend --since 2d --bucket hour
  $ marketlake top --anomalies --k 4 --json`,
    )
    .action(async (asset: string | undefined, opts: TopOptions, cmd: Command) => {
      const sinceMs = period(opts.since, '--since');
      const limit = parseInteger(opts.limit, '--limit', 1);
      if (!RESOURCE_METRICS.includes(opts.by as ResourceMetric))
        throw new UsageError(
          `--by must be one of ${RESOURCE_METRICS.join(', ')}, got "${opts.by}".`,
        );
      if (opts.bucket !== undefined && opts.bucket !== 'hour' && opts.bucket !== 'day')
        throw new UsageError(`--bucket must be hour or day, got "${opts.bucket}".`);
      const k = Number(opts.k);
      if (!Number.isFinite(k) || k < 1)
        throw new UsageError(`--k must be a number >= 1, got "${opts.k}".`);
      if (opts.trend === true && asset === undefined)
        throw new UsageError('--trend needs an asset: marketlake top <asset> --trend.');
      if (asset !== undefined && opts.trend !== true && opts.anomalies !== true)
        throw new UsageError(
          `Add --trend for the history of "${asset}", or --anomalies for its anomalies.`,
        );
      const json = formatOf(opts) === 'json';
      await withContext(cmd.optsWithGlobals<GlobalFlags>(), async ({ store }) => {
        const now = Date.now();
        if (opts.anomalies === true) {
          const found = await resourceAnomalies(store.db, {
            k,
            limit,
            sinceMs: now - sinceMs,
            ...(asset !== undefined ? { asset } : {}),
          });
          if (json) return printJson({ anomalies: found });
          return printTable(
            found.map((a) => ({
              finished: a.finishedAt,
              asset: a.asset,
              partition: a.partition ?? '',
              attempt: a.attemptId,
              state: a.state,
              metric: a.metric,
              value: a.metric === 'memory' ? bytes(a.value) : seconds(a.value),
              median: a.metric === 'memory' ? bytes(a.median) : seconds(a.median),
              ratio: `${a.ratio.toFixed(1)}x`,
            })),
          );
        }
        if (asset !== undefined) {
          await assertResourceAsset(store.db, asset);
          const bucket: TrendBucket =
            (opts.bucket as TrendBucket | undefined) ??
            (sinceMs <= 2 * 86_400_000 ? 'hour' : 'day');
          const trend = await resourceTrend(store.db, asset, {
            sinceMs: now - sinceMs,
            untilMs: now,
            bucket,
          });
          if (json) return printJson(trend);
          return printTable(
            trend.points.map((p) => ({
              start: p.start,
              attempts: p.attempts,
              failed: p.failures,
              'wall avg s': seconds(p.wallSecondsAvg),
              'wall max s': seconds(p.wallSecondsMax),
              'cpu s': seconds(p.cpuSeconds),
              'peak rss': bytes(p.peakRssMaxBytes),
              rows: p.rows ?? '',
              bytes: bytes(p.bytes),
            })),
          );
        }
        const top = await resourceTop(store.db, {
          sinceMs: now - sinceMs,
          untilMs: now,
          by: opts.by as ResourceMetric,
          limit,
        });
        if (json) return printJson(top);
        process.stdout.write(`since ${top.since}, by ${top.by}\n`);
        printTable(
          top.assets.map((a) => ({
            asset: a.asset,
            attempts: a.attempts,
            failed: a.failures,
            'cpu s': seconds(a.cpuSeconds),
            'wall s': seconds(a.wallSeconds.total),
            'wall avg': seconds(a.wallSeconds.avg),
            'wall p95': seconds(a.wallSeconds.p95),
            'peak rss': bytes(a.peakRssBytes.max),
            'rss median': bytes(a.peakRssBytes.median),
            rows: a.rows,
            written: bytes(a.bytes),
            change: change(a.trend.change, a.trend.previous),
          })),
        );
      });
    });
}
