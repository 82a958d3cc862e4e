/**
 * FX: the spot currency market trades 24 hours a day, five days a week, from Sunday 17:00 to
 * Friday 17:00 New York time (the industry's "5 pm New York" value-date roll).
 *
 * Sessions are Monday to Friday, named by the New York date on which they close: each opens at
 * 17:00 America/New_York the previous day and closes at 17:00 America/New_York on its date, so
 * Monday's session starts on Sunday evening and the week ends on Friday at 17:00. There are no
 * holiday closures: the interbank market keeps trading (thinly) on national holidays, and which
 * holidays matter depends on the currency pair. DST changes happen early on Sunday, inside the
 * weekend, so every session lasts exactly 24 hours.
 */
import { dayOf, isWeekend } from './civil-date.js';
import { rowFromLocalHours } from './session-table.js';
import type { CalendarDefinition, SessionRow } from './session-table.js';

const TIME_ZONE = 'America/New_York';
const ROLL = 17 * 60;
const HOURS = { open: ROLL - 24 * 60, close: ROLL } as const;

function buildYear(year: number): SessionRow[] {
  const rows: SessionRow[] = [];
  for (let day = dayOf(year, 1, 1); day < dayOf(year + 1, 1, 1); day += 1) {
    if (!isWeekend(day)) rows.push(rowFromLocalHours(TIME_ZONE, day, HOURS));
  }
  return rows;
}

/** FX: 24/5 sessions, Sunday 17:00 to Friday 17:00 New York, 1970..2099. */
export const fxDefinition: CalendarDefinition = {
  name: 'FX',
  timezone: TIME_ZONE,
  firstYear: 1970,
  lastYear: 2099,
  buildYear,
};
