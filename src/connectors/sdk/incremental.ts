import { ConnectorInvalidOptionsError } from '../errors.js';
import type { Lake } from '../../lake/index.js';
import { getCalendar } from '../../market/index.js';
import { addDays, localDate, utcDateTime } from './dates.js';
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
  /** Requested symbols the lake already holds up to `until` (bars_1m: up to the last closed minute). */
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

type StateDataset = Connector['stateDataset'];

/** The latest point the lake holds for a symbol (or a per-date source). */
export interface LatestStored {
  /** 'YYYY-MM-DD': the latest `date`, or for bars_1m the UTC date of the latest bar. */
  date: string;
  /** bars_1m only: the latest bar's start as an ISO-8601 UTC instant ('2024-01-03T00:04:00Z'). */
  ts?: string;
}

// bars_1m state is the latest bar's start, to the minute; daily datasets keep the latest date.
const latestExpr = (dataset: StateDataset): string =>
  dataset === 'bars_1m' ? 'CAST(max(ts) AS VARCHAR)' : 'CAST(max(date) AS VARCHAR)';

function latestOf(dataset: StateDataset, last: string): LatestStored {
  if (dataset !== 'bars_1m') return { date: last };
  // The cast gives 'YYYY-MM-DD HH:MM:SS[.fff]' in UTC; bars start on whole minutes.
  const ts = `${utcDateTime(Date.parse(`${last.replace(' ', 'T')}Z`)).replace(' ', 'T')}Z`;
  return { date: ts.slice(0, 10), ts };
}

/** Latest stored point of each symbol in `dataset` (rows of any source count: the key is symbol and date or ts). */
export async function latestBySymbol(
  lake: Lake,
  dataset: StateDataset,
  symbols: readonly string[],
): Promise<Map<string, LatestStored>> {
  if (symbols.length === 0) return new Map();
  const res = await lake.query(
    `SELECT symbol, ${latestExpr(dataset)} AS last FROM ${dataset} WHERE symbol IN (${symbols.map(quote).join(', ')}) GROUP BY symbol`,
  );
  return new Map(res.rows.map((r) => [String(r['symbol']), latestOf(dataset, String(r['last']))]));
}

/** Latest point `source` wrote to `dataset`, or undefined. */
export async function latestBySource(
  lake: Lake,
  dataset: StateDataset,
  source: string,
): Promise<LatestStored | undefined> {
  const res = await lake.query(
    `SELECT ${latestExpr(dataset)} AS last FROM ${dataset} WHERE source = ${quote(source)}`,
  );
  const last = res.rows[0]?.['last'];
  return typeof last === 'string' ? latestOf(dataset, last) : undefined;
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

// A bar is complete one minute after its start, so the bar after `after` is complete two minutes
// after it; before that nothing new can be stored.
const NEXT_BAR_COMPLETE_MS = 120_000;

/** Whether the bar after the one starting at `after` had closed by `now`. */
function nextBarClosed(after: string, now: Date): boolean {
  return Date.parse(after) + NEXT_BAR_COMPLETE_MS <= now.getTime();
}

/** Where a run resumes after the latest stored point: the next day, or for bars_1m the next minute. */
function resumeAfter(last: LatestStored): Pick<FetchTask, 'from' | 'after'> {
  return last.ts ? { from: last.date, after: last.ts } : { from: addDays(last.date, 1) };
}

/**
 * Plans a run: per symbol (or per date), fetch from the day after the latest stored date (or
 * `since`, or the lookback) to `until`. Intraday (bars_1m) state is minute-exact: the task starts
 * on the latest bar's day with `after` set to that bar's start, and a symbol whose next minute
 * has not closed yet is up to date.
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
  const pending = (task: FetchTask): boolean =>
    task.from <= until && (task.after === undefined || nextBarClosed(task.after, options.now));
  if (connector.unit === 'date') {
    const last = options.since
      ? undefined
      : await latestBySource(lake, connector.stateDataset, connector.name);
    const resume = last ? resumeAfter(last) : undefined;
    const from = options.since ?? resume?.from ?? lookbackFrom;
    const tasks = datesBetween(connector, from, until)
      .map((d): FetchTask =>
        resume?.after !== undefined && d === resume.from
          ? { from: d, to: d, after: resume.after }
          : { from: d, to: d },
      )
      .filter(pending);
    return { tasks, upToDate: [], until, latest: { [connector.name]: last?.date ?? null } };
  }
  const symbols = [...new Set(options.symbols ?? [])];
  if (symbols.length === 0)
    throw new ConnectorInvalidOptionsError(
      `Connector ${connector.name} fetches per symbol: name at least one symbol (e.g. symbols: ['AAPL']).`,
      { details: { connector: connector.name, field: 'symbols' } },
    );
  const stored = (s: string): string => connector.storedSymbol?.(s) ?? s;
  const latest = options.since
    ? new Map<string, LatestStored>()
    : await latestBySymbol(lake, connector.stateDataset, symbols.map(stored));
  const tasks: FetchTask[] = [];
  const upToDate: string[] = [];
  for (const symbol of symbols) {
    const last = latest.get(stored(symbol));
    const start = last ? resumeAfter(last) : { from: options.since ?? lookbackFrom };
    const task: FetchTask = { symbol, ...start, to: until };
    if (pending(task)) tasks.push(task);
    else upToDate.push(symbol);
  }
  const state = Object.fromEntries(
    symbols.map((s) => [stored(s), latest.get(stored(s))?.date ?? null]),
  );
  return { tasks, upToDate, until, latest: state };
}
