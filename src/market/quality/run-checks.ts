import { formatDay, newSortableId, parseDay } from '../../core/index.js';
import type { Lake } from '../../lake/index.js';
import { getCalendar, listCalendars } from '../calendars/index.js';
import { dateRange } from '../options.js';
import { ident, listLiteral, literal, num } from '../sql.js';
import { selectChecks, type SelectedCheck } from './check-catalog.js';
import {
  dataCtes,
  grainOf,
  inScope,
  partitionScope,
  prefixSql,
  type CalendarSpan,
  type CheckScope,
} from './check-scope.js';
import { failureFromRow } from './failure-rows.js';
import type {
  CheckConfig,
  CheckFailure,
  CheckName,
  CheckResult,
  MarketCheckSummary,
} from './types.js';

/** Options of `runMarketChecks`. */
export interface MarketCheckOptions {
  /** Bars dataset to check (bars_1d, bars_1m, or any dataset with their columns). */
  dataset: string;
  /** Name recorded as the asset (default: the dataset). */
  asset?: string;
  /** Check one partition (`year=2017` or `2017` for bars_1d). */
  partition?: string;
  /** Narrow to dates (inclusive, 'YYYY-MM-DD'). */
  from?: string;
  to?: string;
  symbols?: readonly string[];
  /** Checks to run (default: every check of the dataset's grain). */
  checks?: readonly (CheckName | CheckConfig)[];
  /** Calendar (MIC) of every symbol; default each symbol's exchange in instruments. */
  calendar?: string;
  runId?: string;
  /** ran_at (default now). */
  now?: Date;
  /** Store results in check_runs and check_failures (default true). */
  store?: boolean;
  /** Failing keys returned per check in the summary (default 5; all are stored). */
  examples?: number;
}

const Q = (name: string): string => ident(name);

interface PreparedRun {
  scope: CheckScope;
  checks: SelectedCheck[];
  checkedRows: number;
  prefix: string;
  symbolsWithoutCalendar: string[];
}

function lookbackDays(checks: readonly SelectedCheck[]): number {
  const windows = checks
    .filter((c) => c.definition.lookback)
    .map((c) => Math.max(c.params['window'] ?? 0, c.params['sessions'] ?? 0, 2));
  // Sessions to calendar days (weekends, holidays), with room to spare.
  return windows.length === 0 ? 0 : Math.ceil(Math.max(...windows) * 1.6) + 10;
}

async function prepare(lake: Lake, options: MarketCheckOptions): Promise<PreparedRun> {
  const dataset = await lake.dataset(options.dataset);
  const grain = grainOf(dataset);
  const part =
    options.partition === undefined
      ? { partition: '' }
      : partitionScope(dataset, options.partition);
  const range = dateRange(options.from, options.to);
  const pick = (a: string | undefined, b: string | undefined, max: boolean): string | undefined =>
    a === undefined ? b : b === undefined ? a : a > b === max ? a : b;
  const scope: CheckScope = {
    dataset: dataset.name,
    grain,
    partition: part.partition,
    from: pick(part.from, range.from, true),
    to: pick(part.to, range.to, false),
    ...(part.column ? { column: part.column } : {}),
    ...(options.symbols ? { symbols: options.symbols } : {}),
  };
  const checks = selectChecks(grain, options.checks);
  const calendar = options.calendar === undefined ? undefined : getCalendar(options.calendar).name;
  const base = `WITH ${dataCtes(scope)}`;
  const stats = (
    await lake.query(
      `${base} SELECT count(*) AS n, CAST(min(d) AS VARCHAR) AS mn, CAST(max(d) AS VARCHAR) AS mx FROM _scope`,
    )
  ).rows[0]!;
  const checkedRows = num(stats['n']);
  const lookback = lookbackDays(checks);
  const spans: CalendarSpan[] = [];
  let symbolsWithoutCalendar: string[] = [];
  if (checkedRows > 0 && checks.some((c) => c.definition.calendar)) {
    const known = listLiteral(listCalendars(), 'VARCHAR');
    let names: string[];
    if (calendar !== undefined) names = [calendar];
    else {
      const mapped = `SELECT symbol FROM instruments WHERE upper(exchange) IN (SELECT unnest(${known}))`;
      names = (
        await lake.query(
          `${base} SELECT DISTINCT upper(exchange) AS cal FROM instruments WHERE upper(exchange) IN (SELECT unnest(${known})) AND symbol IN (SELECT symbol FROM _scope) ORDER BY 1`,
        )
      ).rows.map((r) => String(r['cal']));
      symbolsWithoutCalendar = (
        await lake.query(
          `${base} SELECT DISTINCT symbol FROM _scope WHERE symbol NOT IN (${mapped}) ORDER BY 1`,
          { maxRows: Number.MAX_SAFE_INTEGER },
        )
      ).rows.map((r) => String(r['symbol']));
    }
    const first = scope.from ?? String(stats['mn']);
    const last = scope.to ?? String(stats['mx']);
    for (const name of names) {
      const cal = getCalendar(name);
      const from = formatDay(Math.max(parseDay(first)! - lookback, parseDay(cal.firstDate)!));
      const to = last < cal.lastDate ? last : cal.lastDate;
      if (from <= to) spans.push({ name: cal.name, from, to });
    }
  }
  const prefix = prefixSql(scope, {
    ...(calendar === undefined ? {} : { calendar }),
    spans,
    lookbackDays: lookback,
  });
  return { scope, checks, checkedRows, prefix, symbolsWithoutCalendar };
}

/** SELECT of every failing key of every check: (check, severity, symbol, d, ts, value, message). */
function failuresSql(run: PreparedRun): string {
  if (run.checks.length === 0)
    return `${run.prefix} SELECT CAST(NULL AS VARCHAR) AS ${Q('check')}, CAST(NULL AS VARCHAR) AS severity, CAST(NULL AS VARCHAR) AS symbol, CAST(NULL AS DATE) AS d, CAST(NULL AS TIMESTAMP) AS ts, CAST(NULL AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS message WHERE false`;
  const parts = run.checks.map((c) => {
    const sql = c.definition.sql({
      grain: run.scope.grain,
      params: c.params,
      inScope: inScope(run.scope),
    });
    return `SELECT ${literal(c.definition.name)} AS ${Q('check')}, ${literal(c.severity)} AS severity, symbol, CAST(d AS DATE) AS d, CAST(ts AS TIMESTAMP) AS ts, CAST(value AS DOUBLE) AS value, CAST(message AS VARCHAR) AS message FROM (${sql})`;
  });
  return `${run.prefix} SELECT * FROM (${parts.join('\nUNION ALL\n')})`;
}

const timestampLiteral = (at: Date): string =>
  `CAST(${literal(at.toISOString().replace('T', ' ').replace('Z', ''))} AS TIMESTAMP)`;

/** Every failing key of the checks, without storing anything (for previews and tests). */
export async function findCheckFailures(
  lake: Lake,
  options: MarketCheckOptions,
): Promise<CheckFailure[]> {
  const run = await prepare(lake, options);
  const { rows } = await lake.query(
    `SELECT ${Q('check')}, severity, symbol, CAST(d AS VARCHAR) AS date, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS ts, value, message,
       COALESCE(symbol, '') || '|' || COALESCE(strftime(ts, '%Y-%m-%dT%H:%M:%S'), CAST(d AS VARCHAR)) AS key
     FROM (${failuresSql(run)}) ORDER BY ${Q('check')}, key`,
    { maxRows: Number.MAX_SAFE_INTEGER },
  );
  return rows.map(failureFromRow);
}

/**
 * Runs market-data quality checks over a bars dataset (or one partition of it), stores one
 * check_runs row per check and every failing key in check_failures (no cap), and returns a
 * summary: `blocked` is true when a blocking check failed. Independent of pipelines: the
 * pipelines runtime calls it after an asset materializes.
 */
export async function runMarketChecks(
  lake: Lake,
  options: MarketCheckOptions,
): Promise<MarketCheckSummary> {
  const started = performance.now();
  const run = await prepare(lake, options);
  const runId = options.runId ?? newSortableId('chk_');
  const ranAt = options.now ?? new Date();
  const asset = options.asset ?? run.scope.dataset;
  const perCheck = Math.max(0, Math.floor(options.examples ?? 5));
  const counts = new Map<string, number>();
  const examples = new Map<string, CheckFailure[]>();
  const keyed = `SELECT *, COALESCE(symbol, '') || '|' || COALESCE(strftime(ts, '%Y-%m-%dT%H:%M:%S'), CAST(d AS VARCHAR)) AS key FROM (${failuresSql(run)})`;
  if (options.store === false) {
    for (const f of await findCheckFailures(lake, options)) {
      counts.set(f.check, (counts.get(f.check) ?? 0) + 1);
      const list = examples.get(f.check) ?? [];
      if (list.length < perCheck) examples.set(f.check, [...list, f]);
    }
  } else {
    const write = await lake.write(
      'check_failures',
      {
        sql: `SELECT ${literal(runId)} AS run_id, ${literal(asset)} AS asset, ${literal(run.scope.partition)} AS ${Q('partition')},
            ${Q('check')}, severity, key, symbol, d AS date, ts, value, message, ${timestampLiteral(ranAt)} AS ran_at
          FROM (${keyed})`,
      },
      { writer: 'checks', operation: 'check' },
    );
    if (write.rowsWritten > 0) {
      const where = `run_id = ${literal(runId)}`;
      for (const r of (
        await lake.query(
          `SELECT ${Q('check')}, count(*) AS n FROM check_failures WHERE ${where} GROUP BY 1`,
        )
      ).rows)
        counts.set(String(r['check']), num(r['n']));
      if (perCheck > 0) {
        const { rows } = await lake.query(
          `SELECT ${Q('check')}, severity, key, symbol, CAST(date AS VARCHAR) AS date, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS ts, value, message
           FROM check_failures WHERE ${where} QUALIFY row_number() OVER (PARTITION BY ${Q('check')} ORDER BY key) <= ${perCheck}
           ORDER BY ${Q('check')}, key`,
          { maxRows: Number.MAX_SAFE_INTEGER },
        );
        for (const r of rows) {
          const f = failureFromRow(r);
          examples.set(f.check, [...(examples.get(f.check) ?? []), f]);
        }
      }
    }
  }
  const results: CheckResult[] = run.checks.map((c) => {
    const failingCount = counts.get(c.definition.name) ?? 0;
    return {
      check: c.definition.name,
      severity: c.severity,
      blocking: c.blocking,
      passed: failingCount === 0,
      failingCount,
      params: c.params,
      examples: examples.get(c.definition.name) ?? [],
    };
  });
  const durationMs = Math.round(performance.now() - started);
  if (options.store !== false && results.length > 0) {
    await lake.write(
      'check_runs',
      {
        rows: results.map((r) => ({
          run_id: runId,
          asset,
          partition: run.scope.partition,
          check: r.check,
          severity: r.severity,
          blocking: r.blocking,
          passed: r.passed,
          failing_count: r.failingCount,
          checked_rows: run.checkedRows,
          params: JSON.stringify(r.params),
          duration_ms: durationMs,
          ran_at: ranAt.toISOString(),
        })),
      },
      { writer: 'checks', operation: 'check' },
    );
  }
  const failed = results.filter((r) => !r.passed);
  return {
    runId,
    asset,
    dataset: run.scope.dataset,
    partition: run.scope.partition,
    ranAt: ranAt.toISOString(),
    checkedRows: run.checkedRows,
    passed: failed.length === 0,
    blocked: failed.some((r) => r.blocking),
    errors: failed.filter((r) => r.severity === 'error').map((r) => r.check),
    warnings: failed.filter((r) => r.severity === 'warn').map((r) => r.check),
    results,
    symbolsWithoutCalendar: run.symbolsWithoutCalendar,
    durationMs,
  };
}
