/**
 * Korea Exchange (XKRX) sessions, Asia/Seoul, 1986..2050 (the lunar-holiday table's span).
 *
 * Derived from and verified against the exchange_calendars KRX reference sessions
 * (1986-01-04..2026-12-30): trading hours by era, Saturday sessions until 1998-12-05, lunch
 * breaks until 2000-05-19, the one-hour late open of the first session of the year and the
 * later start on suneung days, and the year-end closure.
 */
import { dayOf, isWeekend, parseDay, weekdayOf, WEEKDAY } from './civil-date.js';
import { adHocDaysIn } from './holiday-rules.js';
import { koreanPublicHolidays } from './korean-holidays.js';
import { KOREAN_LUNAR_FIRST_YEAR, KOREAN_LUNAR_LAST_YEAR } from './korean-lunar-holidays.js';
import { rowFromLocalHours } from './session-table.js';
import type { CalendarDefinition, LocalHours, SessionRow } from './session-table.js';
import {
  XKRX_AD_HOC_CLOSURES,
  XKRX_AD_HOC_LATE_OPENS,
  XKRX_NEW_YEAR_LATE_OPEN_OVERRIDES,
  XKRX_SUNEUNG_DAYS,
  XKRX_YEAR_END_CLOSURES_BEFORE_2001,
} from './xkrx-special-days.js';

const TIME_ZONE = 'Asia/Seoul';
const HOUR = 60;

function hm(text: string): number {
  return Number(text.slice(0, 2)) * HOUR + Number(text.slice(3, 5));
}

/** Regular hours by era, each in force from its date until the next era begins. */
const ERAS: readonly { readonly since: number; readonly hours: LocalHours }[] = [
  era('1986-01-01', '10:00', '15:30', ['12:00', '13:30']),
  era('1986-04-01', '09:40', '15:20', ['12:00', '13:20']),
  era('1987-03-01', '09:40', '15:20', ['11:40', '13:20']),
  era('1995-01-01', '09:30', '15:00', ['11:30', '13:00']),
  era('1998-12-07', '09:00', '15:00', ['12:00', '13:00']),
  era('2000-05-22', '09:00', '15:00'),
  era('2016-08-01', '09:00', '15:30'),
];

function era(since: string, open: string, close: string, lunch?: readonly [string, string]) {
  const hours: LocalHours =
    lunch === undefined
      ? { open: hm(open), close: hm(close) }
      : { open: hm(open), close: hm(close), break: [hm(lunch[0]), hm(lunch[1])] };
  return { since: parseDay(since) ?? Number.NaN, hours };
}

const SUNEUNG = new Set(XKRX_SUNEUNG_DAYS.map((date) => parseDay(date)));

/** Saturday sessions ended with the five-day week of 1998-12-07. */
const LAST_SATURDAY_SESSION = dayOf(1998, 12, 5);
/** From 2001 the year-end closure is the last business day of December. */
const YEAR_END_RULE_FIRST_YEAR = 2001;

function regularHours(day: number): LocalHours {
  let hours = ERAS[0]?.hours;
  for (const candidate of ERAS) if (day >= candidate.since) hours = candidate.hours;
  if (hours === undefined) throw new Error('XKRX eras are empty');
  return hours;
}

function shift(hours: LocalHours, minutes: number, shiftCloseAndBreak: boolean): LocalHours {
  if (!shiftCloseAndBreak) return { ...hours, open: hours.open + minutes };
  const moved = { open: hours.open + minutes, close: hours.close + minutes };
  if (hours.break === undefined) return moved;
  return { ...moved, break: [hours.break[0] + minutes, hours.break[1] + minutes] };
}

/** Suneung days move the whole session: by 30 minutes until 1997, by an hour since 1998. */
function suneungShift(day: number): number {
  return day < dayOf(1998, 1, 1) ? 30 : HOUR;
}

function isTradingWeekday(day: number): boolean {
  return day <= LAST_SATURDAY_SESSION ? weekdayOf(day) !== WEEKDAY.Sunday : !isWeekend(day);
}

// Every holiday and closure of `year`, whether or not it falls on a trading weekday.
function xkrxClosures(year: number): Set<number> {
  const closed = new Set<number>(koreanPublicHolidays(year).keys());
  // Labor Day (근로자의 날) is not a public holiday, but KRX closes: March 10 until 1993, May 1 since.
  closed.add(year <= 1993 ? dayOf(year, 3, 10) : dayOf(year, 5, 1));
  for (const day of adHocDaysIn(XKRX_AD_HOC_CLOSURES, year)) closed.add(day);
  if (year < YEAR_END_RULE_FIRST_YEAR) {
    for (const day of adHocDaysIn(XKRX_YEAR_END_CLOSURES_BEFORE_2001, year)) closed.add(day);
  } else {
    let last = dayOf(year, 12, 31);
    while (!isTradingWeekday(last) || closed.has(last)) last -= 1;
    closed.add(last);
  }
  return closed;
}

function newYearLateOpen(year: number, sessionDays: readonly number[]): number | undefined {
  const override = XKRX_NEW_YEAR_LATE_OPEN_OVERRIDES.get(year);
  if (override === null) return undefined;
  if (override !== undefined) return parseDay(override);
  return sessionDays[0];
}

function buildYear(year: number): SessionRow[] {
  const closed = xkrxClosures(year);
  const days: number[] = [];
  for (let day = dayOf(year, 1, 1); day < dayOf(year + 1, 1, 1); day += 1) {
    if (isTradingWeekday(day) && !closed.has(day)) days.push(day);
  }
  const lateOpens = new Set([
    newYearLateOpen(year, days),
    ...adHocDaysIn(XKRX_AD_HOC_LATE_OPENS, year),
  ]);
  return days.map((day) => {
    let hours = regularHours(day);
    if (lateOpens.has(day)) hours = shift(hours, HOUR, false);
    else if (SUNEUNG.has(day)) hours = shift(hours, suneungShift(day), true);
    return rowFromLocalHours(TIME_ZONE, day, hours);
  });
}

/** XKRX: Korea Exchange (KOSPI, KOSDAQ) sessions. */
export const xkrxDefinition: CalendarDefinition = {
  name: 'XKRX',
  timezone: TIME_ZONE,
  firstYear: KOREAN_LUNAR_FIRST_YEAR,
  lastYear: KOREAN_LUNAR_LAST_YEAR,
  buildYear,
};
