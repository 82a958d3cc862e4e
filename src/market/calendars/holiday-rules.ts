/**
 * Building blocks for holiday rules: fixed dates with weekend observance, nth-weekday rules and
 * Easter. Each exchange file composes them into its own list, so a rule change (a new holiday,
 * a retired one) is one entry with a first or last year.
 */
import { dayOf, daysInMonth, weekdayOf, WEEKDAY } from './civil-date.js';
import type { Weekday } from './civil-date.js';

/** A named rule that closes zero or more days of a year. */
export interface HolidayRule {
  /** Human-readable name, used in tests and diagnostics. */
  readonly name: string;
  /** First year the rule applies (inclusive); unbounded when absent. */
  readonly firstYear?: number;
  /** Last year the rule applies (inclusive); unbounded when absent. */
  readonly lastYear?: number;
  /** Day numbers the rule closes in `year` (empty when an observance drops the holiday). */
  days(year: number): readonly number[];
}

/** A one-off closure or special day, written as 'YYYY-MM-DD' plus the reason. */
export type AdHocDay = readonly [date: string, reason: string];

/** True when `rule` is in force in `year`. */
export function ruleApplies(rule: HolidayRule, year: number): boolean {
  return (
    (rule.firstYear === undefined || year >= rule.firstYear) &&
    (rule.lastYear === undefined || year <= rule.lastYear)
  );
}

/** Every day closed by `rules` in `year`, ascending and without duplicates. */
export function daysClosedBy(rules: readonly HolidayRule[], year: number): number[] {
  const days = new Set<number>();
  for (const rule of rules) {
    if (!ruleApplies(rule, year)) continue;
    for (const day of rule.days(year)) days.add(day);
  }
  return [...days].sort((a, b) => a - b);
}

/**
 * The `n`th `weekday` of `month` (1-12); `n = -1` is the last one.
 * Used for US Monday holidays and Thanksgiving.
 */
export function nthWeekday(year: number, month: number, weekday: Weekday, n: number): number {
  if (n < 0) {
    const last = dayOf(year, month, daysInMonth(year, month));
    return last - ((weekdayOf(last) - weekday + 7) % 7);
  }
  const first = dayOf(year, month, 1);
  return first + ((weekday - weekdayOf(first) + 7) % 7) + (n - 1) * 7;
}

/** US federal observance: Saturday moves to Friday, Sunday to Monday. */
export function nearestWorkday(day: number): number {
  const weekday = weekdayOf(day);
  if (weekday === WEEKDAY.Saturday) return day - 1;
  if (weekday === WEEKDAY.Sunday) return day + 1;
  return day;
}

/**
 * NYSE observance for New Year's Day: Sunday moves to Monday, but a Saturday holiday is not
 * observed, because the Friday before closes a year (NYSE Rule 7.2).
 */
export function sundayToMondayOrDrop(day: number): readonly number[] {
  const weekday = weekdayOf(day);
  if (weekday === WEEKDAY.Saturday) return [];
  return [weekday === WEEKDAY.Sunday ? day + 1 : day];
}

/** `[day]` when `day` falls on one of `weekdays`, else nothing: for "only when it is a Friday" rules. */
export function weekdayIn(day: number, weekdays: readonly Weekday[]): readonly number[] {
  return weekdays.includes(weekdayOf(day)) ? [day] : [];
}

/** Easter Sunday of the Gregorian calendar (anonymous Gregorian algorithm, "Meeus/Jones/Butcher"). */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOf(year, month, day);
}

/** Good Friday: two days before Easter Sunday. */
export function goodFriday(year: number): number {
  return easterSunday(year) - 2;
}

/** Day numbers of the ad-hoc entries that fall in `year`. */
export function adHocDaysIn(entries: readonly AdHocDay[], year: number): number[] {
  const prefix = `${year}-`;
  const days: number[] = [];
  for (const [date] of entries) {
    if (!date.startsWith(prefix)) continue;
    days.push(dayOf(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))));
  }
  return days;
}
