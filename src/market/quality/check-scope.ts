import { dayOf, formatDay, parseDay } from '../../core/index.js';
import type { Dataset } from '../../lake/index.js';
import { getCalendar } from '../calendars/index.js';
import { MarketInvalidOptionError, MarketNotBarsDatasetError } from '../errors.js';
import { dateLiteral, ident, listLiteral, literal } from '../sql.js';
import { limitsSql } from './price-limits.js';
import type { Grain } from './types.js';

/** The rows a run checks: a dataset, optionally narrowed to a partition, dates and symbols. */
export interface CheckScope {
  dataset: string;
  grain: Grain;
  /** Partition folder name as recorded (`year=2017`), '' for the whole dataset. */
  partition: string;
  from?: string;
  to?: string;
  /** Column partitioning: rows whose column equals the value. */
  column?: { name: string; value: string };
  symbols?: readonly string[];
}

/** A calendar and the session dates a run needs from it. */
export interface CalendarSpan {
  name: string;
  from: string;
  to: string;
}

const BAR_COLUMNS = ['symbol', 'open', 'high', 'low', 'close', 'volume'];

/** The grain of a bars dataset: `date` (DATE) means daily, `ts` (TIMESTAMP) intraday. */
export function grainOf(dataset: Dataset): Grain {
  const type = (name: string): string | undefined =>
    dataset.columns.find((c) => c.name === name)?.type;
  const missing = BAR_COLUMNS.filter((c) => type(c) === undefined);
  const grain =
    type('date') === 'DATE' ? 'day' : type('ts')?.startsWith('TIMESTAMP') ? 'minute' : undefined;
  if (grain === undefined) missing.push('date (DATE) or ts (TIMESTAMP)');
  if (missing.length > 0 || grain === undefined)
    throw new MarketNotBarsDatasetError(dataset.name, missing);
  return grain;
}

function lastDayOfMonth(year: number, month: number): string {
  return formatDay(dayOf(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - 1);
}

/** The date range (or column value) of a partition such as `year=2017`, `2017`, `month=2017-03`. */
export function partitionScope(
  dataset: Dataset,
  partition: string,
): { partition: string; from?: string; to?: string; column?: { name: string; value: string } } {
  const p = dataset.partitioning;
  const bad = (accepted: string): never => {
    throw new MarketInvalidOptionError(`partition of ${dataset.name}`, partition, accepted);
  };
  if (p.kind === 'none') return bad(`no partition: ${dataset.name} is not partitioned`);
  const key = p.kind === 'column' ? p.column : p.kind;
  const value = partition.startsWith(`${key}=`) ? partition.slice(key.length + 1) : partition;
  const name = `${key}=${value}`;
  if (p.kind === 'column')
    return { partition: name, column: { name: p.column, value: decodeURIComponent(value) } };
  if (p.kind === 'year') {
    if (!/^\d{4}$/.test(value)) return bad('year=YYYY, e.g. year=2017');
    return { partition: name, from: `${value}-01-01`, to: `${value}-12-31` };
  }
  if (p.kind === 'month') {
    const m = /^(\d{4})-(\d{2})$/.exec(value);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12)
      return bad('month=YYYY-MM, e.g. month=2017-03');
    return { partition: name, from: `${value}-01`, to: lastDayOfMonth(Number(m[1]), Number(m[2])) };
  }
  if (parseDay(value) === undefined) return bad('date=YYYY-MM-DD, e.g. date=2017-03-15');
  return { partition: name, from: value, to: value };
}

/** SQL predicate factory: a date expression lies within the scope's dates. */
export function inScope(scope: CheckScope): (d: string) => string {
  return (d) =>
    [
      scope.from === undefined ? undefined : `${d} >= ${dateLiteral(scope.from)}`,
      scope.to === undefined ? undefined : `${d} <= ${dateLiteral(scope.to)}`,
    ]
      .filter((x) => x !== undefined)
      .join(' AND ') || 'true';
}

/** `_data` (all rows of the scope's symbols) and `_scope` (the rows checked). */
export function dataCtes(scope: CheckScope): string {
  const filters = [
    scope.symbols === undefined
      ? undefined
      : `symbol IN (SELECT unnest(${listLiteral(scope.symbols, 'VARCHAR')}))`,
    scope.column === undefined
      ? undefined
      : `CAST(${ident(scope.column.name)} AS VARCHAR) = ${literal(scope.column.value)}`,
  ].filter((x) => x !== undefined);
  const time =
    scope.grain === 'day'
      ? 'date AS d, CAST(NULL AS TIMESTAMP) AS ts'
      : 'CAST(ts AS DATE) AS d, ts';
  return `_data AS (SELECT symbol, ${time}, open, high, low, close, volume FROM ${ident(scope.dataset)}${filters.length ? ` WHERE ${filters.join(' AND ')}` : ''}),
    _scope AS MATERIALIZED (SELECT * FROM _data WHERE ${inScope(scope)('d')})`;
}

/** `_sessions(cal, d, prev_d, open_ts, close_ts, break_start, break_end)` for the spans, from the calendars. */
export function sessionsSql(spans: readonly CalendarSpan[]): string {
  const parts = spans.map((span) => {
    const cal = getCalendar(span.name);
    const dates = cal.sessions(span.from, span.to);
    const opens = dates.map((d) => cal.sessionOpen(d));
    const closes = dates.map((d) => cal.sessionClose(d));
    const breaks = dates.map((d) => cal.sessionBreak(d));
    const ms = (values: readonly (number | undefined)[]): string =>
      `CAST([${values.map((v) => (v === undefined ? 'NULL' : String(v))).join(', ')}] AS BIGINT[])`;
    return `SELECT ${literal(cal.name)} AS cal, unnest(${listLiteral(dates, 'DATE')}) AS d,
        unnest(${ms(opens)}) AS open_ms, unnest(${ms(closes)}) AS close_ms,
        unnest(${ms(breaks.map((b) => b?.start))}) AS break_ms, unnest(${ms(breaks.map((b) => b?.end))}) AS resume_ms`;
  });
  const all =
    parts.length > 0
      ? parts.join(' UNION ALL ')
      : 'SELECT CAST(NULL AS VARCHAR) AS cal, CAST(NULL AS DATE) AS d, CAST(NULL AS BIGINT) AS open_ms, CAST(NULL AS BIGINT) AS close_ms, CAST(NULL AS BIGINT) AS break_ms, CAST(NULL AS BIGINT) AS resume_ms WHERE false';
  return `SELECT cal, d, lag(d) OVER (PARTITION BY cal ORDER BY d) AS prev_d, epoch_ms(open_ms) AS open_ts,
      epoch_ms(close_ms) AS close_ts, epoch_ms(break_ms) AS break_start, epoch_ms(resume_ms) AS break_end
    FROM (${all})`;
}

/** Options of the full CTE prefix. */
export interface PrefixOptions {
  /** One calendar for every symbol; otherwise each symbol's exchange in instruments. */
  calendar?: string;
  /** Calendars the instruments map symbols to (known calendars only). */
  spans: readonly CalendarSpan[];
  lookbackDays: number;
}

/** `_symcal(symbol, cal, first_d, last_d)`: each symbol's calendar and the dates it defines. */
function symcalSql(options: PrefixOptions): string {
  const cals = options.spans.map((s) => {
    const c = getCalendar(s.name);
    return `(${literal(c.name)}, ${dateLiteral(c.firstDate)}, ${dateLiteral(c.lastDate)})`;
  });
  const calRows = cals.length
    ? `SELECT * FROM (VALUES ${cals.join(', ')}) AS t(cal, first_d, last_d)`
    : 'SELECT CAST(NULL AS VARCHAR) AS cal, CAST(NULL AS DATE) AS first_d, CAST(NULL AS DATE) AS last_d WHERE false';
  const mapping =
    options.calendar !== undefined
      ? `SELECT DISTINCT symbol, ${literal(getCalendar(options.calendar).name)} AS cal FROM _scope`
      : `SELECT symbol, min(upper(exchange)) AS cal FROM instruments
         WHERE upper(exchange) IN (SELECT cal FROM _cals) GROUP BY symbol`;
  return `_cals AS (${calRows}),
    _symcal AS (SELECT m.symbol, m.cal, k.first_d, k.last_d FROM (${mapping}) m JOIN _cals k ON k.cal = m.cal)`;
}

/** The WITH clause every check's SQL runs under. */
export function prefixSql(scope: CheckScope, options: PrefixOptions): string {
  const histFrom =
    scope.from === undefined
      ? undefined
      : formatDay((parseDay(scope.from) ?? 0) - options.lookbackDays);
  const hist = inScope({ ...scope, from: histFrom })('d');
  const ctes = [
    dataCtes(scope),
    `_hist AS MATERIALIZED (SELECT * FROM _data WHERE ${hist})`,
    `_bounds AS (SELECT symbol, min(d) AS first_d, max(d) AS last_d FROM _data GROUP BY symbol)`,
    symcalSql(options),
    `_sessions AS MATERIALIZED (${sessionsSql(options.spans)})`,
    `_acts AS (SELECT DISTINCT symbol, ex_date FROM corporate_actions WHERE type <> 'symbol_change')`,
    `_limits AS (${limitsSql()})`,
    `_mscope AS (SELECT s.symbol, s.ts, s.cal, x.d, x.open_ts, x.close_ts, x.break_start, x.break_end
      FROM (SELECT b.*, c.cal FROM _scope b JOIN _symcal c ON c.symbol = b.symbol) s
      ASOF LEFT JOIN _sessions x ON x.cal = s.cal AND s.ts >= x.open_ts)`,
  ];
  return `WITH ${ctes.join(',\n')}`;
}
