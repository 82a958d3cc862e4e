/**
 * `monthly({ start, end? })`: one partition per calendar month, keyed 'YYYY-MM'. Indexes are
 * month numbers minus the start's, as daily partitions use day numbers.
 */
import {
  invalid,
  rejectUnknownKeys,
  requireObject,
  requireTimeZone,
  show,
} from '../sdk/validate.js';
import { formatMonth, monthOfDay, parseDay, parseMonth } from './civil-date.js';
import { KeySpace, nowOr, type KeyRange, type TickTargetMode } from './partitions-definition.js';
import { localDayOf } from './zoned-date.js';

/** Options of `monthly()`. */
export interface MonthlyOptions {
  /** First month, 'YYYY-MM' (a 'YYYY-MM-DD' date names its month). */
  start: string;
  /** Last month (inclusive); default open-ended: the space grows up to the current month. */
  end?: string;
  /** IANA time zone that decides the current month (default 'UTC'). */
  timezone?: string;
}

const LAST_MONTH = parseMonth('9999-12') as number;

/** Month number of 'YYYY-MM' or 'YYYY-MM-DD'. */
function parseMonthLike(value: unknown): number | undefined {
  const month = parseMonth(value);
  if (month !== undefined) return month;
  const day = parseDay(value);
  return day === undefined ? undefined : monthOfDay(day);
}

/** Monthly partitions keyed 'YYYY-MM'. */
export class MonthlyPartitions extends KeySpace {
  readonly type = 'monthly';
  readonly timeBased = true;
  /** First month, 'YYYY-MM'. */
  readonly start: string;
  /** Last month, when bounded. */
  readonly end: string | undefined;
  /** Time zone that decides the current month. */
  readonly timezone: string;
  private readonly startMonth: number;
  private readonly endMonth: number;

  constructor(options: MonthlyOptions) {
    super();
    const what = 'monthly() partitions';
    const opts = requireObject(what, options, "{ start: '2020-01' }");
    rejectUnknownKeys(what, opts, ['start', 'end', 'timezone']);
    const startMonth = parseMonthLike(opts['start']);
    if (startMonth === undefined) {
      invalid(
        what,
        'start',
        `is ${show(opts['start'])}`,
        "Give a month as 'YYYY-MM', e.g. start: '2015-01'.",
      );
    }
    const endMonth = opts['end'] === undefined ? LAST_MONTH : parseMonthLike(opts['end']);
    if (endMonth === undefined || endMonth < startMonth) {
      invalid(
        what,
        'end',
        `is ${show(opts['end'])}`,
        "Give a 'YYYY-MM' month on or after start, or leave end out.",
      );
    }
    this.startMonth = startMonth;
    this.endMonth = endMonth;
    this.start = formatMonth(startMonth);
    this.end = opts['end'] === undefined ? undefined : formatMonth(endMonth);
    this.timezone =
      opts['timezone'] === undefined ? 'UTC' : requireTimeZone(what, 'timezone', opts['timezone']);
  }

  describe(): string {
    return `monthly partitions from ${this.start}${this.end === undefined ? '' : ` to ${this.end}`} (${this.timezone})`;
  }

  private currentMonth(now: number | undefined): number {
    return monthOfDay(localDayOf(nowOr(now), this.timezone));
  }

  private lastMonth(now: number | undefined): number {
    return Math.min(this.endMonth, this.currentMonth(now));
  }

  count(now?: number): number {
    return Math.max(0, this.lastMonth(now) - this.startMonth + 1);
  }

  keyAt(index: number, now?: number): string | undefined {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.count(now)) return undefined;
    return formatMonth(this.startMonth + index);
  }

  indexOf(key: string, now?: number): number {
    const month = parseMonth(key);
    if (month === undefined || month < this.startMonth || month > this.lastMonth(now)) return -1;
    return month - this.startMonth;
  }

  indexRange(from: string, to: string, now?: number): { start: number; end: number } {
    const fromMonth = parseMonthLike(from);
    if (fromMonth === undefined)
      throw this.unknownKey(from, "Monthly keys are months written 'YYYY-MM'.");
    const toMonth = parseMonthLike(to);
    if (toMonth === undefined)
      throw this.unknownKey(to, "Monthly keys are months written 'YYYY-MM'.");
    this.checkOrder(from, to, fromMonth, toMonth);
    const start = Math.max(fromMonth, this.startMonth) - this.startMonth;
    const end = Math.min(toMonth, this.lastMonth(now)) - this.startMonth + 1;
    return { start, end: Math.max(start, end) };
  }

  targetForTick(tickMs: number, mode: TickTargetMode): KeyRange | undefined {
    const month = this.currentMonth(tickMs) - (mode === 'previous' ? 1 : 0);
    if (month < this.startMonth || month > this.endMonth) return undefined;
    const key = formatMonth(month);
    return { from: key, to: key };
  }
}

/** Monthly partitions: one key per month ('YYYY-MM') from `start`. */
export function monthly(options: MonthlyOptions): MonthlyPartitions {
  return new MonthlyPartitions(options);
}
