/**
 * Civil (time-zone-free) dates as day numbers: whole days since 1970-01-01.
 *
 * Calendar rules work on plain integers because they compare, add and index days in hot loops;
 * strings appear only at the API boundary.
 */

/** Milliseconds in a civil day (civil days have no DST: that lives in time-zone.ts). */
export const MS_PER_DAY = 86_400_000;

/** Day of the week as JS numbers it: 0 = Sunday .. 6 = Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** Named weekdays, so rules read `WEEKDAY.Monday` instead of a bare 1. */
export const WEEKDAY = {
  Sunday: 0,
  Monday: 1,
  Tuesday: 2,
  Wednesday: 3,
  Thursday: 4,
  Friday: 5,
  Saturday: 6,
} as const satisfies Record<string, Weekday>;

/**
 * Day number of a year/month(1-12)/day triple. `day` may run past either end of the month (day 0
 * is the last day of the previous month). Arithmetic (H. Hinnant's days_from_civil) rather than
 * Date.UTC, which maps years 0-99 to 1900-1999 and allocates.
 */
export function dayOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Weekday of a day number (1970-01-01 was a Thursday). */
export function weekdayOf(dayNumber: number): Weekday {
  return ((((dayNumber + 4) % 7) + 7) % 7) as Weekday;
}

/** True on Saturday and Sunday. */
export function isWeekend(dayNumber: number): boolean {
  const weekday = weekdayOf(dayNumber);
  return weekday === WEEKDAY.Saturday || weekday === WEEKDAY.Sunday;
}

/** Year of a day number (H. Hinnant's civil_from_days, reduced to the year). */
export function yearOf(dayNumber: number): number {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  return yearOfEra + era * 400 + (monthIndex >= 10 ? 1 : 0);
}

/** 'YYYY-MM-DD' text of a day number. */
export function formatDay(dayNumber: number): string {
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

const ZERO = 48;

function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Day number of a strict 'YYYY-MM-DD' string, or undefined when the text is malformed or names
 * a date that does not exist (2023-02-29). Hand-rolled because isSession runs on every tick.
 */
export function parseDay(text: string): number | undefined {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) {
    return undefined;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  return dayOf(year, month, day);
}

/** Number of days in a month (1-12) of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Gregorian leap-year test. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
