import { ConnectorInvalidOptionsError } from '../errors.js';
import type { Lake } from '../../lake/index.js';
import { getCalendar } from '../../market/index.js';
import { addDays, localDate } from './dates.js';
import type { Connector, FetchTask } from './define-connector.js';

/** What a run asks for; missing bounds come from the lake (incremental) and the clock. */
export interface PlanOptions {
  /** Symbols to fetch (required by per-symbol connectors; a filter for per-date ones). */
  symbols?: readonly string[];
  /** Fetch from this date whatever the lake holds (backfills, corrections). */
  since?: string;
  /** Last date to fetch (default: today in the connector's calendar zone, or UTC). */
  until?: string;
  now: Date;
}

/** The tasks of a run and why. */
export interface RunPlan {
  tasks: FetchTask[];
  /** Requested symbols the lake already holds up to `until`. */
  upToDate: string[];
  until: string;
  /** Latest stored date per stored symbol (per-symbol), or under the connector's name (per-date). */
  latest: Record<string, string | null>;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;
const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

function checkDate(field: string, value: string | undefined): void {
  if (value !== undefined && !ISO.test(value))
    throw new ConnectorInvalidOptionsError(`${field} "${value}" is not a YYYY-MM-DD date.`, {
      details: { field, value },
    });
}

/** Latest stored date of each symbol in `dataset` (rows of any source count: the key is symbol and date). */
export async function latestBySymbol(
  lake: Lake,
  dataset: 'bars_1d' | 'bars_1m' | 'series_1d',
  symbols: readonly string[],
): Promise<Map<string, string>> {
  if (symbols.length === 0) return new Map();
  const dateExpr = dataset === 'bars_1m' ? 'CAST(max(ts) AS DATE)' : 'max(date)';
  const res = await lake.query(
    `SELECT symbol, CAST(${dateExpr} AS VARCHAR) AS last FROM ${dataset} WHERE symbol IN (${symbols.map(quote).join(', ')}) GROUP BY symbol`,
  );
  return new Map(res.rows.map((r) => [String(r['symbol']), String(r['last'])]));
}

/** Latest date `source` wrote to `dataset`, or undefined. */
export async function latestBySource(
  lake: Lake,
  dataset: 'bars_1d' | 'bars_1m' | 'series_1d',
  source: string,
): Promise<string | undefined> {
  const dateExpr = dataset === 'bars_1m' ? 'CAST(max(ts) AS DATE)' : 'max(date)';
  const res = await lake.query(
    `SELECT CAST(${dateExpr} AS VARCHAR) AS last FROM ${dataset} WHERE source = ${quote(source)}`,
  );
  const last = res.rows[0]?.['last'];
  return typeof last === 'string' ? last : undefined;
}

/**
 * Default last date: today in the connector's zone; for per-date connectors, the previous day
 * until an hour after today's close (exchanges publish the day's data after the close).
 */
export function defaultUntil(connector: Connector, now: Date): string {
  const cal = connector.calendar ? getCalendar(connector.calendar) : undefined;
  const today = localDate(now.getTime(), cal?.timezone ?? 'UTC');
  if (connector.unit === 'date' && connector.publishLagDays !== undefined)
    return addDays(today, -connector.publishLagDays);
  if (connector.unit !== 'date' || !cal || !cal.isSession(today)) return today;
  return now.getTime() >= cal.sessionClose(today) + 3_600_000 ? today : addDays(today, -1);
}

/** Dates a per-date connector fetches between `from` and `to` (sessions of its calendar). */
function datesBetween(connector: Connector, from: string, to: string): string[] {
  if (from > to) return [];
  if (!connector.calendar) {
    const out: string[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
    return out;
  }
  const cal = getCalendar(connector.calendar);
  const lo = from < cal.firstDate ? cal.firstDate : from;
  const hi = to > cal.lastDate ? cal.lastDate : to;
  return lo > hi ? [] : cal.sessions(lo, hi);
}

/**
 * Plans a run: per symbol (or per date), fetch from the day after the latest stored date (or
 * `since`, or the lookback) to `until`. Intraday data refetches its last stored day, which may
 * have been partial.
 */
export async function planRun(
  lake: Lake,
  connector: Connector,
  options: PlanOptions,
): Promise<RunPlan> {
  checkDate('since', options.since);
  checkDate('until', options.until);
  const until = options.until ?? defaultUntil(connector, options.now);
  const lookbackFrom = addDays(until, -connector.defaultLookbackDays);
  const next = (last: string): string =>
    connector.stateDataset === 'bars_1m' ? last : addDays(last, 1);
  if (connector.unit === 'date') {
    const last = options.since
      ? undefined
      : await latestBySource(lake, connector.stateDataset, connector.name);
    const from = options.since ?? (last ? next(last) : lookbackFrom);
    const tasks = datesBetween(connector, from, until).map((d) => ({ from: d, to: d }));
    return { tasks, upToDate: [], until, latest: { [connector.name]: last ?? null } };
  }
  const symbols = [...new Set(options.symbols ?? [])];
  if (symbols.length === 0)
    throw new ConnectorInvalidOptionsError(
      `Connector ${connector.name} fetches per symbol: name at least one symbol (e.g. symbols: ['AAPL']).`,
      { details: { connector: connector.name, field: 'symbols' } },
    );
  const stored = (s: string): string => connector.storedSymbol?.(s) ?? s;
  const latest = options.since
    ? new Map<string, string>()
    : await latestBySymbol(lake, connector.stateDataset, symbols.map(stored));
  const tasks: FetchTask[] = [];
  const upToDate: string[] = [];
  for (const symbol of symbols) {
    const last = latest.get(stored(symbol));
    const from = options.since ?? (last ? next(last) : lookbackFrom);
    if (from > until) upToDate.push(symbol);
    else tasks.push({ symbol, from, to: until });
  }
  const state = Object.fromEntries(symbols.map((s) => [stored(s), latest.get(stored(s)) ?? null]));
  return { tasks, upToDate, until, latest: state };
}
