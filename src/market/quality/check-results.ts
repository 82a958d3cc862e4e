import type { Lake } from '../../lake/index.js';
import { ident, literal, num, text } from '../sql.js';
import { failureFromRow } from './failure-rows.js';
import type { CheckFailure, CheckName, Severity } from './types.js';

/** A stored check execution (a row of check_runs). */
export interface CheckRunRecord {
  runId: string;
  asset: string;
  partition: string;
  check: CheckName;
  severity: Severity;
  blocking: boolean;
  passed: boolean;
  failingCount: number;
  checkedRows: number;
  params: Record<string, number>;
  durationMs: number;
  ranAt: string;
}

/** Filters of `listCheckResults`. */
export interface CheckResultQuery {
  asset?: string;
  partition?: string;
  check?: string;
  runId?: string;
  /** Only checks that failed. */
  failed?: boolean;
  /** Every execution, not only the latest per asset, partition and check. */
  history?: boolean;
  limit?: number;
}

const Q = ident;

function conditions(query: {
  asset?: string;
  partition?: string;
  check?: string;
  runId?: string;
}): string[] {
  const where: string[] = [];
  if (query.asset !== undefined) where.push(`asset = ${literal(query.asset)}`);
  if (query.partition !== undefined) where.push(`${Q('partition')} = ${literal(query.partition)}`);
  if (query.check !== undefined) where.push(`${Q('check')} = ${literal(query.check)}`);
  if (query.runId !== undefined) where.push(`run_id = ${literal(query.runId)}`);
  return where;
}

/** `check_runs` narrowed to the latest execution per asset, partition and check (unless `history`). */
function runsSql(query: CheckResultQuery): string {
  const where = conditions(query);
  const latest =
    query.history || query.runId !== undefined
      ? ''
      : ` QUALIFY row_number() OVER (PARTITION BY asset, ${Q('partition')}, ${Q('check')} ORDER BY ran_at DESC, run_id DESC) = 1`;
  return `SELECT * FROM check_runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${latest}`;
}

/** Stored check results, newest first: by default the latest per asset, partition and check. */
export async function listCheckResults(
  lake: Lake,
  query: CheckResultQuery = {},
): Promise<CheckRunRecord[]> {
  const failed = query.failed ? ' WHERE NOT passed' : '';
  const limit = query.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
  const { rows } = await lake.query(
    `SELECT *, strftime(ran_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS ran_at_text FROM (${runsSql(query)})${failed}
     ORDER BY ran_at DESC, asset, ${Q('partition')}, ${Q('check')}${limit}`,
    { maxRows: Number.MAX_SAFE_INTEGER },
  );
  return rows.map((r) => ({
    runId: String(r['run_id']),
    asset: String(r['asset']),
    partition: String(r['partition']),
    check: String(r['check']) as CheckName,
    severity: String(r['severity']) as Severity,
    blocking: r['blocking'] === true,
    passed: r['passed'] === true,
    failingCount: num(r['failing_count']),
    checkedRows: num(r['checked_rows'] ?? 0),
    params: JSON.parse(r['params'] === null ? '{}' : text(r['params'])) as Record<string, number>,
    durationMs: num(r['duration_ms'] ?? 0),
    ranAt: String(r['ran_at_text']),
  }));
}

/** Filters of `listCheckFailures`. */
export interface CheckFailureQuery {
  asset?: string;
  partition?: string;
  check?: string;
  symbol?: string;
  /** One run; default: the latest run of each asset, partition and check. */
  runId?: string;
  limit?: number;
  offset?: number;
}

/** Stored failing keys (every one of them is kept), ordered by asset, check and key. */
export async function listCheckFailures(
  lake: Lake,
  query: CheckFailureQuery = {},
): Promise<(CheckFailure & { runId: string; asset: string; partition: string })[]> {
  const where = conditions(query);
  if (query.symbol !== undefined) where.push(`symbol = ${literal(query.symbol)}`);
  const runs =
    query.runId === undefined
      ? ` AND (f.run_id, f.asset, f.${Q('partition')}, f.${Q('check')}) IN (SELECT (run_id, asset, ${Q('partition')}, ${Q('check')}) FROM (${runsSql(query)}))`
      : '';
  const limit = query.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
  const offset =
    query.offset === undefined ? '' : ` OFFSET ${Math.max(0, Math.floor(query.offset))}`;
  const { rows } = await lake.query(
    `SELECT f.run_id, f.asset, f.${Q('partition')}, f.${Q('check')}, f.severity, f.key, f.symbol,
       CAST(f.date AS VARCHAR) AS date, strftime(f.ts, '%Y-%m-%dT%H:%M:%SZ') AS ts, f.value, f.message
     FROM check_failures f WHERE true${where.map((w) => ` AND f.${w}`).join('')}${runs}
     ORDER BY f.asset, f.${Q('partition')}, f.${Q('check')}, f.key${limit}${offset}`,
    { maxRows: Number.MAX_SAFE_INTEGER },
  );
  return rows.map((r) => ({
    ...failureFromRow(r),
    runId: String(r['run_id']),
    asset: String(r['asset']),
    partition: String(r['partition']),
  }));
}
