/**
 * New York Stock Exchange (XNYS) sessions, also used for Nasdaq (XNAS).
 *
 * Regular hours 09:30-16:00 America/New_York. Verified session by session against the
 * exchange_calendars reference data for 1990-01-02..2023-01-13; later years follow the same
 * rules plus the closures announced since (2025-01-09).
 */
import { dayOf, isWeekend, WEEKDAY } from './civil-date.js';
import {
  adHocDaysIn,
  daysClosedBy,
  goodFriday,
  nearestWorkday,
  nthWeekday,
  ruleApplies,
  sundayToMondayOrDrop,
  weekdayIn,
} from './holiday-rules.js';
import type { AdHocDay, HolidayRule } from './holiday-rules.js';
import { rowFromLocalHours } from './session-table.js';
import type { CalendarDefinition, SessionRow } from './session-table.js';

const TIME_ZONE = 'America/New_York';
const OPEN = 9 * 60 + 30;
const CLOSE = 16 * 60;
const ONE_PM = 13 * 60;
const TWO_PM = 14 * 60;
const MONDAY_TO_THURSDAY = [WEEKDAY.Monday, WEEKDAY.Tuesday, WEEKDAY.Wednesday, WEEKDAY.Thursday];

/** Regular NYSE holidays, with the year each began where that falls after 1990. */
export const XNYS_HOLIDAY_RULES: readonly HolidayRule[] = [
  { name: "New Year's Day", days: (y) => sundayToMondayOrDrop(dayOf(y, 1, 1)) },
  {
    name: 'Martin Luther King Jr. Day',
    firstYear: 1998,
    days: (y) => [nthWeekday(y, 1, WEEKDAY.Monday, 3)],
  },
  { name: "Washington's Birthday", days: (y) => [nthWeekday(y, 2, WEEKDAY.Monday, 3)] },
  { name: 'Good Friday', days: (y) => [goodFriday(y)] },
  { name: 'Memorial Day', days: (y) => [nthWeekday(y, 5, WEEKDAY.Monday, -1)] },
  { name: 'Juneteenth', firstYear: 2022, days: (y) => [nearestWorkday(dayOf(y, 6, 19))] },
  { name: 'Independence Day', days: (y) => [nearestWorkday(dayOf(y, 7, 4))] },
  { name: 'Labor Day', days: (y) => [nthWeekday(y, 9, WEEKDAY.Monday, 1)] },
  { name: 'Thanksgiving Day', days: (y) => [nthWeekday(y, 11, WEEKDAY.Thursday, 4)] },
  { name: 'Christmas Day', days: (y) => [nearestWorkday(dayOf(y, 12, 25))] },
];

/** One-off full-day closures decided by the exchange. */
export const XNYS_AD_HOC_CLOSURES: readonly AdHocDay[] = [
  ['1994-04-27', 'National day of mourning for President Nixon'],
  ['2001-09-11', 'September 11 attacks'],
  ['2001-09-12', 'September 11 attacks'],
  ['2001-09-13', 'September 11 attacks'],
  ['2001-09-14', 'September 11 attacks'],
  ['2004-06-11', 'National day of mourning for President Reagan'],
  ['2007-01-02', 'National day of mourning for President Ford'],
  ['2012-10-29', 'Hurricane Sandy'],
  ['2012-10-30', 'Hurricane Sandy'],
  ['2018-12-05', 'National day of mourning for President George H. W. Bush'],
  ['2025-01-09', 'National day of mourning for President Carter'],
];

/** A rule for sessions that close early, and the local minute they close at. */
interface EarlyCloseRule extends HolidayRule {
  /** Local closing minute after midnight. */
  readonly close: number;
}

/** Recurring early closes: 14:00 until 1992, 13:00 from 1993 (the day before July 4 from 1995). */
const EARLY_CLOSE_RULES: readonly EarlyCloseRule[] = [
  {
    name: 'Day before Independence Day (Mon, Tue, Thu)',
    firstYear: 1995,
    close: ONE_PM,
    days: (y) => weekdayIn(dayOf(y, 7, 3), [WEEKDAY.Monday, WEEKDAY.Tuesday, WEEKDAY.Thursday]),
  },
  {
    name: 'Day before Independence Day (Wed)',
    firstYear: 2013,
    close: ONE_PM,
    days: (y) => weekdayIn(dayOf(y, 7, 3), [WEEKDAY.Wednesday]),
  },
  {
    name: 'Friday after Independence Day',
    firstYear: 1995,
    lastYear: 2012,
    close: ONE_PM,
    days: (y) => weekdayIn(dayOf(y, 7, 5), [WEEKDAY.Friday]),
  },
  {
    name: 'Day after Thanksgiving',
    firstYear: 1992,
    lastYear: 1992,
    close: TWO_PM,
    days: (y) => [nthWeekday(y, 11, WEEKDAY.Thursday, 4) + 1],
  },
  {
    name: 'Day after Thanksgiving',
    firstYear: 1993,
    close: ONE_PM,
    days: (y) => [nthWeekday(y, 11, WEEKDAY.Thursday, 4) + 1],
  },
  {
    name: 'Christmas Eve (Mon-Thu)',
    lastYear: 1992,
    close: TWO_PM,
    days: (y) => weekdayIn(dayOf(y, 12, 24), MONDAY_TO_THURSDAY),
  },
  {
    name: 'Christmas Eve (Mon-Thu)',
    firstYear: 1993,
    close: ONE_PM,
    days: (y) => weekdayIn(dayOf(y, 12, 24), MONDAY_TO_THURSDAY),
  },
];

/** One-off 13:00 closes decided by the exchange. */
export const XNYS_AD_HOC_EARLY_CLOSES: readonly AdHocDay[] = [
  ['1997-12-26', 'Friday after Christmas'],
  ['1999-12-31', 'New Year’s Eve 1999 (Y2K)'],
  ['2003-12-26', 'Friday after Christmas'],
];

/** Closing minute of each early close in `year`. */
function earlyClosesIn(year: number): Map<number, number> {
  const closes = new Map<number, number>();
  for (const rule of EARLY_CLOSE_RULES) {
    if (!ruleApplies(rule, year)) continue;
    for (const day of rule.days(year)) closes.set(day, rule.close);
  }
  for (const day of adHocDaysIn(XNYS_AD_HOC_EARLY_CLOSES, year)) closes.set(day, ONE_PM);
  return closes;
}

/** Every weekday of `year` that is neither a holiday nor an ad-hoc closure. */
function buildYear(year: number): SessionRow[] {
  const closed = new Set([
    ...daysClosedBy(XNYS_HOLIDAY_RULES, year),
    ...adHocDaysIn(XNYS_AD_HOC_CLOSURES, year),
  ]);
  const earlyCloses = earlyClosesIn(year);
  const rows: SessionRow[] = [];
  for (let day = dayOf(year, 1, 1); day < dayOf(year + 1, 1, 1); day += 1) {
    if (isWeekend(day) || closed.has(day)) continue;
    rows.push(
      rowFromLocalHours(TIME_ZONE, day, { open: OPEN, close: earlyCloses.get(day) ?? CLOSE }),
    );
  }
  return rows;
}

/** XNYS: verified from 1990 (earlier years had different holidays and hours). */
export const xnysDefinition: CalendarDefinition = {
  name: 'XNYS',
  timezone: TIME_ZONE,
  firstYear: 1990,
  lastYear: 2099,
  buildYear,
};

/** XNAS (Nasdaq) keeps the NYSE holidays and hours, so it shares the XNYS sessions. */
export const xnasDefinition: CalendarDefinition = { ...xnysDefinition, name: 'XNAS' };
