/**
 * Runs an asset's checks after a successful attempt, in the worker's platform process, against
 * the lake the attempt just committed to. A SQL check fails when its SELECT returns rows (each
 * is stored as a failing key); a function check decides itself. Results go to the lake's
 * `check_runs` and `check_failures` datasets, like the market-data checks, so `marketlake checks`
 * and alerts see both. A failed blocking check fails the attempt without retry, which keeps
 * downstream assets from running on bad data (they end upstream_failed).
 */
import { messageOf, newSortableId, type Logger } from '../../core/index.js';
import type { Lake } from '../../lake/index.js';
import type { AssetDefinition } from '../sdk/asset.js';
import type { AssetCheck } from '../sdk/asset-checks.js';
import type { AssetContext, CheckResult } from '../sdk/asset-context.js';
import { substitutePartition } from '../executor/sql-task.js';

/** Failing keys stored per SQL check (the first rows of its result, in its order). */
export const MAX_STORED_FAILURES = 100_000;

/** The outcome of one check. */
export interface AssetCheckOutcome {
  readonly check: string;
  readonly severity: 'warn' | 'error';
  readonly blocking: boolean;
  readonly passed: boolean;
  readonly failingCount: number;
  readonly message: string | undefined;
}

/** Where the checks run. */
export interface CheckTarget {
  readonly runId: string;
  readonly attemptId: string;
  readonly partition: string | undefined;
  /** What the attempt reported with `ctx.addMetadata` (checks see it as `ctx.reported`). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

function checkContext(lake: Lake, asset: AssetDefinition, target: CheckTarget, logger: Logger) {
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) =>
    logger[level]({ asset: asset.name, runId: target.runId }, message);
  const ctx: AssetContext = {
    asset: asset.name,
    partition: target.partition,
    partitionParts: undefined,
    file: undefined,
    reported: target.metadata,
    runId: target.runId,
    attempt: 0,
    signal: new AbortController().signal,
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    lake,
    secret: (name: string) => {
      throw new Error(`Checks get no secrets (asked for "${name}"); read them in the asset's run.`);
    },
    fetch: (url, init) => fetch(url, init),
    addMetadata: () => undefined,
    reportRows: () => undefined,
  };
  return ctx;
}

async function runSql(lake: Lake, sql: string): Promise<{ count: number; keys: string[] }> {
  const result = await lake.query(`SELECT * FROM (${sql}) AS failing`, {
    maxRows: MAX_STORED_FAILURES,
  });
  const count = result.truncated
    ? Number(
        (await lake.query(`SELECT count(*) AS n FROM (${sql}) AS failing`)).rows[0]?.['n'] ?? 0,
      )
    : result.rows.length;
  return { count, keys: result.rows.map((row) => JSON.stringify(row)) };
}

async function runOne(
  lake: Lake,
  asset: AssetDefinition,
  check: AssetCheck,
  target: CheckTarget,
  logger: Logger,
): Promise<{ passed: boolean; count: number; keys: readonly string[]; message?: string }> {
  if (check.sql !== undefined) {
    const { count, keys } = await runSql(lake, substitutePartition(check.sql, target.partition));
    return {
      passed: count === 0,
      count,
      keys,
      message: count > 0 ? `${count} failing rows` : undefined,
    };
  }
  const out = (await check.run?.(checkContext(lake, asset, target, logger))) ?? true;
  const result: CheckResult = typeof out === 'boolean' ? { passed: out } : out;
  const keys = result.failingKeys ?? [];
  return {
    passed: result.passed,
    count: result.passed ? 0 : Math.max(1, keys.length),
    keys,
    message: result.message,
  };
}

/** Runs every check of `asset`; a check that throws fails (with its error as the message). */
export async function runAssetChecks(
  lake: Lake,
  asset: AssetDefinition,
  target: CheckTarget,
  logger: Logger,
): Promise<AssetCheckOutcome[]> {
  if (asset.checks.length === 0) return [];
  const ranAt = new Date().toISOString();
  const checkRunId = newSortableId('chk_');
  const partition = target.partition ?? '';
  const outcomes: AssetCheckOutcome[] = [];
  const failures: Record<string, unknown>[] = [];
  for (const check of asset.checks) {
    const severity = check.blocking ? 'error' : 'warn';
    const started = performance.now();
    let r: { passed: boolean; count: number; keys: readonly string[]; message?: string };
    try {
      r = await runOne(lake, asset, check, target, logger);
    } catch (err) {
      r = {
        passed: false,
        count: 1,
        keys: [],
        message: `The check failed to run: ${messageOf(err)}`,
      };
    }
    outcomes.push({
      check: check.name,
      severity,
      blocking: check.blocking,
      passed: r.passed,
      failingCount: r.count,
      message: r.message,
    });
    for (const key of r.keys)
      failures.push({
        run_id: checkRunId,
        asset: asset.name,
        partition,
        check: check.name,
        severity,
        key,
        message: r.message ?? null,
        ran_at: ranAt,
      });
    await lake.write(
      'check_runs',
      {
        rows: [
          {
            run_id: checkRunId,
            asset: asset.name,
            partition,
            check: check.name,
            severity,
            blocking: check.blocking,
            passed: r.passed,
            failing_count: r.count,
            params: JSON.stringify({ pipelineRun: target.runId, attempt: target.attemptId }),
            duration_ms: Math.round(performance.now() - started),
            ran_at: ranAt,
          },
        ],
      },
      { writer: target.attemptId, operation: 'check' },
    );
  }
  if (failures.length > 0)
    await lake.write(
      'check_failures',
      { rows: failures },
      { writer: target.attemptId, operation: 'check' },
    );
  return outcomes;
}

/** The message that fails the attempt when a blocking check failed, else undefined. */
export function blockingFailure(outcomes: readonly AssetCheckOutcome[]): string | undefined {
  const blocking = outcomes.filter((o) => o.blocking && !o.passed);
  if (blocking.length === 0) return undefined;
  return `Blocking check(s) failed: ${blocking
    .map((o) => `${o.check} (${o.failingCount} failing${o.message ? `: ${o.message}` : ''})`)
    .join('; ')}. Downstream assets do not run on this data; see \`marketlake checks --failed\`.`;
}
