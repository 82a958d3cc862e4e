/**
 * Civil (time-zone-free) dates as day numbers: whole days since 1970-01-01.
 *
 * Calendar rules work on plain integers because they compare, add and index days in hot loops;
 * strings appear only at the API boundary.
 */

import { civilOf } from '../../core/index.js';

// The day-number arithmetic is shared with the partition spaces and lives in core.
export {
  MS_PER_DAY,
  dayOf,
  formatDay,
  parseDay,
  daysInMonth,
  isLeapYear,
} from '../../core/index.js';

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

/** Weekday of a day number (1970-01-01 was a Thursday). */
export function weekdayOf(dayNumber: number): Weekday {
  return ((((dayNumber + 4) % 7) + 7) % 7) as Weekday;
}

/** True on Saturday and Sunday. */
export function isWeekend(dayNumber: number): boolean {
  const weekday = weekdayOf(dayNumber);
  return weekday === WEEKDAY.Saturday || weekday === WEEKDAY.Sunday;
}

/** Year of a day number. */
export function yearOf(dayNumber: number): number {
  return civilOf(dayNumber)[0];
}
