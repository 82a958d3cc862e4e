/**
 * Civil dates as day numbers (days since 1970-01-01) and months as month numbers (months since
 * 1970-01), so a partition key maps to its index by subtraction and back by addition: that is
 * what lets a million daily partitions be paged without building a list.
 *
 * The market domain has the same arithmetic internally; it is repeated here (a few lines) because
 * domains may import only each other's public doors.
 */

/** Milliseconds in a civil day. */
export const MS_PER_DAY = 86_400_000;

/** Day number of a year/month(1-12)/day (H. Hinnant's days_from_civil). */
export function dayOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** [year, month(1-12), day] of a day number (H. Hinnant's civil_from_days). */
export function civilOf(dayNumber: number): [number, number, number] {
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
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** 'YYYY-MM-DD' of a day number. */
export function formatDay(dayNumber: number): string {
  const [year, month, day] = civilOf(dayNumber);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Month number (months since 1970-01) of a year and month(1-12). */
export function monthOf(year: number, month: number): number {
  return (year - 1970) * 12 + (month - 1);
}

/** 'YYYY-MM' of a month number. */
export function formatMonth(monthNumber: number): string {
  const year = 1970 + Math.floor(monthNumber / 12);
  const month = monthNumber - (year - 1970) * 12 + 1;
  return `${pad(year, 4)}-${pad(month, 2)}`;
}

/** Month number containing a day number. */
export function monthOfDay(dayNumber: number): number {
  const [year, month] = civilOf(dayNumber);
  return monthOf(year, month);
}

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Day number of a strict, existing 'YYYY-MM-DD' (years 1000-9999), or undefined. */
export function parseDay(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length !== 10 || text[4] !== '-' || text[7] !== '-')
    return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return undefined;
  return dayOf(year, month, day);
}

/** Month number of a strict 'YYYY-MM' (years 1000-9999), or undefined. */
export function parseMonth(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length !== 7 || text[4] !== '-') return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  if (year < 1000 || month < 1 || month > 12) return undefined;
  return monthOf(year, month);
}

/** Last day number a 4-digit year can write (9999-12-31). */
export const LAST_DAY = dayOf(9999, 12, 31);
