/**
 * CRYPTO: crypto-asset venues trade around the clock, every day. A session is one UTC day,
 * 00:00 to 24:00 UTC, so daily bars from most crypto venues line up with sessions.
 */
import { dayOf, MS_PER_DAY } from './civil-date.js';
import type { CalendarDefinition, SessionRow } from './session-table.js';

function buildYear(year: number): SessionRow[] {
  const rows: SessionRow[] = [];
  for (let day = dayOf(year, 1, 1); day < dayOf(year + 1, 1, 1); day += 1) {
    rows.push({ day, open: day * MS_PER_DAY, close: (day + 1) * MS_PER_DAY });
  }
  return rows;
}

/** CRYPTO: 24/7 sessions on UTC days, 1970..2099. */
export const cryptoDefinition: CalendarDefinition = {
  name: 'CRYPTO',
  timezone: 'UTC',
  firstYear: 1970,
  lastYear: 2099,
  buildYear,
};
