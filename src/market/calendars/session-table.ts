/**
 * Per-year session tables, built lazily from a calendar definition and cached.
 *
 * A year is the unit because holiday rules are yearly and a schedule or a backfill touches a
 * few years at a time; lookups are an array index (isSession) or a slice (sessions), so a
 * pipeline can ask about thousands of sessions without re-running any rule.
 */
import { dayOf, formatDay } from './civil-date.js';
import { zonedTimeToEpochMs } from './time-zone.js';
import type { EpochMs } from './time-zone.js';

/** One session as a definition produces it: a day number plus UTC instants. */
export interface SessionRow {
  /** Civil day number of the session date. */
  readonly day: number;
  /** Opening instant. */
  readonly open: EpochMs;
  /** Closing instant. */
  readonly close: EpochMs;
  /** Start of the midday break, when there is one. */
  readonly breakStart?: EpochMs;
  /** End of the midday break, when there is one. */
  readonly breakEnd?: EpochMs;
}

/** Local trading hours of one session, in minutes after local midnight of the session date. */
export interface LocalHours {
  /** Opening minute; negative when the session opens the day before (FX). */
  readonly open: number;
  /** Closing minute. */
  readonly close: number;
  /** Midday break as [start, end] minutes, when there is one. */
  readonly break?: readonly [start: number, end: number];
}

/** What a calendar must provide for its sessions to be tabulated. */
export interface CalendarDefinition {
  /** Calendar name. */
  readonly name: string;
  /** IANA time zone the local hours are in. */
  readonly timezone: string;
  /** First year the definition covers (rules before it were not verified). */
  readonly firstYear: number;
  /** Last year the definition covers. */
  readonly lastYear: number;
  /** Sessions of `year`, ascending by day, every day within that year. */
  buildYear(year: number): SessionRow[];
}

/** Converts local hours on `day` into a session row in `timeZone`. */
export function rowFromLocalHours(timeZone: string, day: number, hours: LocalHours): SessionRow {
  const row = {
    day,
    open: zonedTimeToEpochMs(timeZone, day, hours.open),
    close: zonedTimeToEpochMs(timeZone, day, hours.close),
  };
  if (hours.break === undefined) return row;
  return {
    ...row,
    breakStart: zonedTimeToEpochMs(timeZone, day, hours.break[0]),
    breakEnd: zonedTimeToEpochMs(timeZone, day, hours.break[1]),
  };
}

/** Sessions of one year in columnar form. */
export interface YearTable {
  /** Day number of January 1 of the year. */
  readonly firstDay: number;
  /** Session dates as 'YYYY-MM-DD', ascending (kept as strings so `sessions()` only slices). */
  readonly dates: readonly string[];
  /** Session day numbers, parallel to `dates`. */
  readonly days: Int32Array;
  /** Opening instants, parallel to `dates`. */
  readonly opens: Float64Array;
  /** Closing instants, parallel to `dates`. */
  readonly closes: Float64Array;
  /** Break starts, NaN when a session has no break. */
  readonly breakStarts: Float64Array;
  /** Break ends, NaN when a session has no break. */
  readonly breakEnds: Float64Array;
  /** Session index by day of year (0-based), -1 for non-sessions. */
  readonly indexByDayOfYear: Int16Array;
}

/** Lazily built, cached year tables of one calendar definition. */
export class SessionTable {
  private readonly years = new Map<number, YearTable>();

  constructor(readonly definition: CalendarDefinition) {}

  /** The table of `year`, built on first use. */
  year(year: number): YearTable {
    let table = this.years.get(year);
    if (table === undefined) {
      table = buildYearTable(this.definition, year);
      this.years.set(year, table);
    }
    return table;
  }
}

function buildYearTable(definition: CalendarDefinition, year: number): YearTable {
  const rows = definition.buildYear(year);
  const firstDay = dayOf(year, 1, 1);
  const length = rows.length;
  const table: YearTable = {
    firstDay,
    dates: rows.map((row) => formatDay(row.day)),
    days: new Int32Array(length),
    opens: new Float64Array(length),
    closes: new Float64Array(length),
    breakStarts: new Float64Array(length),
    breakEnds: new Float64Array(length),
    indexByDayOfYear: new Int16Array(dayOf(year + 1, 1, 1) - firstDay).fill(-1),
  };
  let previousDay = firstDay - 1;
  rows.forEach((row, i) => {
    const dayOfYear = row.day - firstDay;
    if (row.day <= previousDay || dayOfYear >= table.indexByDayOfYear.length) {
      // A definition bug, not user input: fail loudly rather than serve a corrupt table.
      throw new Error(
        `${definition.name} produced an unordered or foreign session ${formatDay(row.day)} for ${year}`,
      );
    }
    previousDay = row.day;
    table.days[i] = row.day;
    table.opens[i] = row.open;
    table.closes[i] = row.close;
    table.breakStarts[i] = row.breakStart ?? Number.NaN;
    table.breakEnds[i] = row.breakEnd ?? Number.NaN;
    table.indexByDayOfYear[dayOfYear] = i;
  });
  return table;
}
