/**
 * `sessions('XNYS', { start, end? })`: one partition per trading session of an exchange
 * calendar, keyed by the session date 'YYYY-MM-DD'.
 *
 * Sessions are irregular, so their dates are listed, but only as far as a question needs (a
 * year at a time): a space that starts in 1990 and is asked about 2024 never builds 2099's table.
 * Even all of a calendar's sessions (about 28,000 for XNYS) are a small sorted array searched
 * by bisection.
 */
import { getCalendar, type ExchangeCalendar } from '../../market/index.js';
import {
  invalid,
  optionalString,
  rejectUnknownKeys,
  requireObject,
  show,
} from '../sdk/validate.js';
import { dayOf, formatDay, parseDay } from './civil-date.js';
import { KeySpace, nowOr, type KeyRange, type TickTargetMode } from './partitions-definition.js';
import { localDayOf } from './zoned-date.js';

/** Options of `sessions()`. */
export interface SessionsOptions {
  /** First date, 'YYYY-MM-DD' (need not be a session). */
  start: string;
  /** Last date (inclusive); default open-ended: the space grows up to today's session. */
  end?: string;
}

/** Index of the first element of ascending `values` that is >= `target` (dates compare as text). */
function lowerBound(values: readonly string[], target: string): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as string) < target) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Partitions over the trading sessions of one exchange calendar. */
export class SessionPartitions extends KeySpace {
  readonly type = 'sessions';
  readonly timeBased = true;
  /** The exchange calendar. */
  readonly calendar: ExchangeCalendar;
  /** First date. */
  readonly start: string;
  /** Last date, when bounded. */
  readonly end: string | undefined;
  private readonly startDay: number;
  private readonly endDay: number;
  /** Sessions from `start` through day `coveredDay`, ascending. */
  private readonly dates: string[] = [];
  private coveredDay: number;

  constructor(calendarName: string, options: SessionsOptions) {
    super();
    const what = `sessions(${show(calendarName)}) partitions`;
    let calendar: ExchangeCalendar;
    try {
      calendar = getCalendar(calendarName);
    } catch (error) {
      invalid(
        what,
        'calendar',
        `is not known (${(error as Error).message})`,
        "Use one of 'XNYS', 'XNAS', 'XKRX', 'CRYPTO', 'FX'.",
      );
    }
    const opts = requireObject(what, options, "{ start: '2020-01-02' }");
    rejectUnknownKeys(what, opts, ['start', 'end']);
    const firstDay = parseDay(calendar.firstDate) as number;
    const lastDay = parseDay(calendar.lastDate) as number;
    const range = `${calendar.name} covers ${calendar.firstDate}..${calendar.lastDate}`;
    const startDay = parseDay(opts['start']);
    if (startDay === undefined || startDay < firstDay || startDay > lastDay) {
      invalid(
        what,
        'start',
        `is ${show(opts['start'])}`,
        `Give a 'YYYY-MM-DD' date the calendar covers (${range}).`,
      );
    }
    const end = optionalString(what, 'end', opts['end']);
    const endDay = end === undefined ? lastDay : parseDay(end);
    if (endDay === undefined || endDay < startDay || endDay > lastDay) {
      invalid(
        what,
        'end',
        `is ${show(end)}`,
        `Give a 'YYYY-MM-DD' date on or after start that the calendar covers (${range}), or leave end out.`,
      );
    }
    this.calendar = calendar;
    this.start = opts['start'] as string;
    this.end = end;
    this.startDay = startDay;
    this.endDay = endDay;
    this.coveredDay = startDay - 1;
  }

  describe(): string {
    return `sessions(${this.calendar.name}) partitions from ${this.start}${this.end === undefined ? '' : ` to ${this.end}`}`;
  }

  /** Day number of the last date whose session (if any) exists at `now`. */
  private lastDay(now: number | undefined): number {
    return Math.min(this.endDay, localDayOf(nowOr(now), this.calendar.timezone));
  }

  /** Extends the session list through `day` (clamped to the space), a year at a time. */
  private coverThrough(day: number): void {
    const target = Math.min(day, this.endDay);
    if (target <= this.coveredDay) return;
    const [year] = formatDay(target).split('-');
    const through = Math.min(this.endDay, dayOf(Number(year), 12, 31));
    const from = formatDay(this.coveredDay + 1);
    for (const date of this.calendar.sessions(from, formatDay(through))) this.dates.push(date);
    this.coveredDay = through;
  }

  count(now?: number): number {
    const last = this.lastDay(now);
    if (last < this.startDay) return 0;
    this.coverThrough(last);
    return lowerBound(this.dates, formatDay(last + 1));
  }

  keyAt(index: number, now?: number): string | undefined {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.count(now)) return undefined;
    return this.dates[index];
  }

  indexOf(key: string, now?: number): number {
    const day = parseDay(key);
    if (day === undefined || day < this.startDay || day > this.lastDay(now)) return -1;
    this.coverThrough(day);
    const i = lowerBound(this.dates, key);
    return this.dates[i] === key ? i : -1;
  }

  indexRange(from: string, to: string, now?: number): { start: number; end: number } {
    const fromDay = parseDay(from);
    if (fromDay === undefined)
      throw this.unknownKey(from, "Session keys are dates written 'YYYY-MM-DD'.");
    const toDay = parseDay(to);
    if (toDay === undefined)
      throw this.unknownKey(to, "Session keys are dates written 'YYYY-MM-DD'.");
    this.checkOrder(from, to, fromDay, toDay);
    const last = Math.min(toDay, this.lastDay(now));
    if (last < this.startDay) return { start: 0, end: 0 };
    this.coverThrough(last);
    const start = lowerBound(this.dates, formatDay(Math.max(fromDay, this.startDay)));
    const end = lowerBound(this.dates, formatDay(last + 1));
    return { start, end: Math.max(start, end) };
  }

  protected override slice(start: number, end: number): string[] {
    return this.dates.slice(start, end);
  }

  /**
   * 'current': the session on the tick's date in the exchange's time zone (none when that date
   * is not a session); 'previous': the last session before that date.
   */
  targetForTick(tickMs: number, mode: TickTargetMode): KeyRange | undefined {
    const date = formatDay(localDayOf(tickMs, this.calendar.timezone));
    let key: string;
    try {
      if (mode === 'current') {
        if (!this.calendar.isSession(date)) return undefined;
        key = date;
      } else {
        key = this.calendar.previousSession(date);
      }
    } catch {
      return undefined; // the tick lies outside the years the calendar defines
    }
    const day = parseDay(key) as number;
    if (day < this.startDay || day > this.endDay) return undefined;
    return { from: key, to: key };
  }
}

/** Partitions over the trading sessions of an exchange calendar ('XNYS', 'XKRX', ...). */
export function sessions(calendar: string, options: SessionsOptions): SessionPartitions {
  return new SessionPartitions(calendar, options);
}
