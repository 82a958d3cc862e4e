/**
 * `daily({ start, end?, timezone? })`: one partition per calendar date ('YYYY-MM-DD').
 *
 * A key's index is its day number minus the start's, so counting, paging and lookups are
 * arithmetic: a million days cost nothing until a page of them is formatted.
 */
import {
  invalid,
  optionalString,
  rejectUnknownKeys,
  requireObject,
  requireTimeZone,
  show,
} from '../sdk/validate.js';
import { formatDay, LAST_DAY, parseDay } from './civil-date.js';
import { KeySpace, nowOr, type KeyRange, type TickTargetMode } from './partitions-definition.js';
import { localDayOf } from './zoned-date.js';

/** Options of `daily()`. */
export interface DailyOptions {
  /** First date, 'YYYY-MM-DD'. */
  start: string;
  /** Last date (inclusive); default open-ended: the space grows up to today. */
  end?: string;
  /** IANA time zone whose dates the keys are (default 'UTC'); decides when "today" begins. */
  timezone?: string;
}

/** Daily partitions keyed 'YYYY-MM-DD'. */
export class DailyPartitions extends KeySpace {
  readonly type = 'daily';
  readonly timeBased = true;
  /** First date. */
  readonly start: string;
  /** Last date, when bounded. */
  readonly end: string | undefined;
  /** Time zone that decides the current date. */
  readonly timezone: string;
  private readonly startDay: number;
  private readonly endDay: number;

  constructor(options: DailyOptions) {
    super();
    const what = 'daily() partitions';
    const opts = requireObject(what, options, "{ start: '2020-01-01' }");
    rejectUnknownKeys(what, opts, ['start', 'end', 'timezone']);
    const startDay = parseDay(opts['start']);
    if (startDay === undefined) {
      invalid(
        what,
        'start',
        `is ${show(opts['start'])}`,
        "Give an existing date as 'YYYY-MM-DD', e.g. start: '2020-01-01'.",
      );
    }
    const end = optionalString(what, 'end', opts['end']);
    const endDay = end === undefined ? LAST_DAY : parseDay(end);
    if (endDay === undefined || endDay < startDay) {
      invalid(
        what,
        'end',
        `is ${show(end)}`,
        `Give a 'YYYY-MM-DD' date on or after start ${String(opts['start'])}, or leave end out.`,
      );
    }
    this.start = opts['start'] as string;
    this.end = end;
    this.timezone =
      opts['timezone'] === undefined ? 'UTC' : requireTimeZone(what, 'timezone', opts['timezone']);
    this.startDay = startDay;
    this.endDay = endDay;
  }

  describe(): string {
    return `daily partitions from ${this.start}${this.end === undefined ? '' : ` to ${this.end}`} (${this.timezone})`;
  }

  /** Day number of the last key that exists at `now`. */
  private lastDay(now: number | undefined): number {
    return Math.min(this.endDay, localDayOf(nowOr(now), this.timezone));
  }

  count(now?: number): number {
    return Math.max(0, this.lastDay(now) - this.startDay + 1);
  }

  keyAt(index: number, now?: number): string | undefined {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.count(now)) return undefined;
    return formatDay(this.startDay + index);
  }

  indexOf(key: string, now?: number): number {
    const day = parseDay(key);
    if (day === undefined || day < this.startDay || day > this.lastDay(now)) return -1;
    return day - this.startDay;
  }

  indexRange(from: string, to: string, now?: number): { start: number; end: number } {
    const fromDay = parseDay(from);
    if (fromDay === undefined)
      throw this.unknownKey(from, "Daily keys are dates written 'YYYY-MM-DD'.");
    const toDay = parseDay(to);
    if (toDay === undefined)
      throw this.unknownKey(to, "Daily keys are dates written 'YYYY-MM-DD'.");
    this.checkOrder(from, to, fromDay, toDay);
    const start = Math.max(fromDay, this.startDay) - this.startDay;
    const end = Math.min(toDay, this.lastDay(now)) - this.startDay + 1;
    return { start, end: Math.max(start, end) };
  }

  protected override slice(start: number, end: number): string[] {
    const result = new Array<string>(Math.max(0, end - start));
    for (let i = start; i < end; i += 1) result[i - start] = formatDay(this.startDay + i);
    return result;
  }

  targetForTick(tickMs: number, mode: TickTargetMode): KeyRange | undefined {
    const day = localDayOf(tickMs, this.timezone) - (mode === 'previous' ? 1 : 0);
    if (day < this.startDay || day > this.endDay) return undefined;
    const key = formatDay(day);
    return { from: key, to: key };
  }
}

/** Daily partitions: one key per calendar date from `start`, in `timezone` (default UTC). */
export function daily(options: DailyOptions): DailyPartitions {
  return new DailyPartitions(options);
}
