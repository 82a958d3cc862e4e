/**
 * Civil dates as day numbers (days since 1970-01-01) and months as month numbers (months since
 * 1970-01), so a partition key maps to its index by subtraction and back by addition: that is
 * what lets a million daily partitions be paged without building a list.
 *
 * The day arithmetic itself is core's; this file adds months and the 4-digit-year bounds.
 */

import { dayOf, digitsAt, padNumber, parseDay as parseAnyDay, civilOf } from '../../core/index.js';

export { MS_PER_DAY, dayOf, civilOf, formatDay } from '../../core/index.js';

/** Month number (months since 1970-01) of a year and month(1-12). */
export function monthOf(year: number, month: number): number {
  return (year - 1970) * 12 + (month - 1);
}

/** 'YYYY-MM' of a month number. */
export function formatMonth(monthNumber: number): string {
  const year = 1970 + Math.floor(monthNumber / 12);
  const month = monthNumber - (year - 1970) * 12 + 1;
  return `${padNumber(year, 4)}-${padNumber(month, 2)}`;
}

/** Month number containing a day number. */
export function monthOfDay(dayNumber: number): number {
  const [year, month] = civilOf(dayNumber);
  return monthOf(year, month);
}

/** First day number of a 4-digit year (1000-01-01): partition keys use years 1000-9999. */
const FIRST_DAY = dayOf(1000, 1, 1);

/** Day number of a strict, existing 'YYYY-MM-DD' (years 1000-9999), or undefined. */
export function parseDay(text: unknown): number | undefined {
  const day = parseAnyDay(text);
  return day === undefined || day < FIRST_DAY ? undefined : day;
}

/** Month number of a strict 'YYYY-MM' (years 1000-9999), or undefined. */
export function parseMonth(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length !== 7 || text[4] !== '-') return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  if (year < 1000 || month < 1 || month > 12) return undefined;
  return monthOf(year, month);
}

/** Last day number a 4-digit year can write (9999-12-31). */
export const LAST_DAY = dayOf(9999, 12, 31);
