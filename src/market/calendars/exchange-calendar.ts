/**
 * The `ExchangeCalendar` implementation shared by every calendar: input validation and lookups
 * over a `SessionTable`. Exchange-specific knowledge lives only in the definitions.
 */
import {
  MarketDateOutOfRangeError,
  MarketInvalidDateError,
  MarketInvalidDateRangeError,
  MarketNotASessionError,
} from '../errors.js';
import { dayOf, formatDay, parseDay, yearOf } from './civil-date.js';
import { SessionTable } from './session-table.js';
import type { CalendarDefinition, YearTable } from './session-table.js';
import type { EpochMs } from './time-zone.js';
import type { CalendarName, ExchangeCalendar, SessionBreak, SessionDate } from './types.js';

const MS_PER_MINUTE = 60_000;

/** An exchange calendar over a definition whose sessions are tabulated per year on demand. */
export class TabulatedCalendar implements ExchangeCalendar {
  readonly name: CalendarName;
  readonly timezone: string;
  readonly firstDate: SessionDate;
  readonly lastDate: SessionDate;
  private readonly table: SessionTable;
  private readonly firstDay: number;
  private readonly lastDay: number;

  constructor(name: CalendarName, definition: CalendarDefinition) {
    this.name = name;
    this.timezone = definition.timezone;
    this.table = new SessionTable(definition);
    this.firstDay = dayOf(definition.firstYear, 1, 1);
    this.lastDay = dayOf(definition.lastYear, 12, 31);
    this.firstDate = formatDay(this.firstDay);
    this.lastDate = formatDay(this.lastDay);
  }

  isSession(date: SessionDate): boolean {
    const day = this.toDay(date);
    const table = this.table.year(yearOf(day));
    return (table.indexByDayOfYear[day - table.firstDay] ?? -1) >= 0;
  }

  sessions(from: SessionDate, to: SessionDate): SessionDate[] {
    const fromDay = this.toDay(from);
    const toDay = this.toDay(to);
    if (fromDay > toDay) throw new MarketInvalidDateRangeError(from, to);
    const result: SessionDate[] = [];
    for (let year = yearOf(fromDay); year <= yearOf(toDay); year += 1) {
      const table = this.table.year(year);
      const start = lowerBound(table.days, fromDay);
      const end = lowerBound(table.days, toDay + 1);
      for (let i = start; i < end; i += 1) result.push(table.dates[i] as string);
    }
    return result;
  }

  nextSession(date: SessionDate): SessionDate {
    const day = this.toDay(date);
    for (let year = yearOf(day); year <= yearOf(this.lastDay); year += 1) {
      const table = this.table.year(year);
      const i = lowerBound(table.days, day + 1);
      if (i < table.dates.length) return table.dates[i] as string;
    }
    throw new MarketDateOutOfRangeError(this.name, date, this.firstDate, this.lastDate, 'after');
  }

  previousSession(date: SessionDate): SessionDate {
    const day = this.toDay(date);
    for (let year = yearOf(day); year >= yearOf(this.firstDay); year -= 1) {
      const table = this.table.year(year);
      const i = lowerBound(table.days, day) - 1;
      if (i >= 0) return table.dates[i] as string;
    }
    throw new MarketDateOutOfRangeError(this.name, date, this.firstDate, this.lastDate, 'before');
  }

  sessionOpen(date: SessionDate): EpochMs {
    const [table, i] = this.locate(date);
    return table.opens[i] as number;
  }

  sessionClose(date: SessionDate): EpochMs {
    const [table, i] = this.locate(date);
    return table.closes[i] as number;
  }

  sessionBreak(date: SessionDate): SessionBreak | undefined {
    const [table, i] = this.locate(date);
    const start = table.breakStarts[i] as number;
    if (Number.isNaN(start)) return undefined;
    return { start, end: table.breakEnds[i] as number };
  }

  minutes(date: SessionDate): number {
    const [table, i] = this.locate(date);
    const start = table.breakStarts[i] as number;
    const breakMs = Number.isNaN(start) ? 0 : (table.breakEnds[i] as number) - start;
    return ((table.closes[i] as number) - (table.opens[i] as number) - breakMs) / MS_PER_MINUTE;
  }

  /** Validates `date` and returns its day number. */
  private toDay(date: SessionDate): number {
    const day = typeof date === 'string' ? parseDay(date) : undefined;
    if (day === undefined) throw new MarketInvalidDateError(date);
    if (day < this.firstDay || day > this.lastDay) {
      throw new MarketDateOutOfRangeError(this.name, date, this.firstDate, this.lastDate);
    }
    return day;
  }

  /** The year table and row of the session on `date`, or a not-a-session error. */
  private locate(date: SessionDate): [YearTable, number] {
    const day = this.toDay(date);
    const table = this.table.year(yearOf(day));
    const i = table.indexByDayOfYear[day - table.firstDay] ?? -1;
    if (i < 0) {
      throw new MarketNotASessionError(
        this.name,
        date,
        this.tryNeighbour(() => this.previousSession(date)),
        this.tryNeighbour(() => this.nextSession(date)),
      );
    }
    return [table, i];
  }

  private tryNeighbour(find: () => SessionDate): SessionDate | undefined {
    try {
      return find();
    } catch (error) {
      if (error instanceof MarketDateOutOfRangeError) return undefined;
      throw error;
    }
  }
}

/** Index of the first element of ascending `values` that is >= `target`. */
function lowerBound(values: Int32Array, target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as number) < target) low = mid + 1;
    else high = mid;
  }
  return low;
}
