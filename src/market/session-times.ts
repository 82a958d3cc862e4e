import { getCalendar } from './calendars/index.js';
import { dateRange } from './options.js';
import { MarketInvalidOptionError } from './errors.js';

/** A session with its hours as ISO-8601 UTC instants (`breakStart`/`breakEnd` when it has a lunch break). */
export interface SessionTimes {
  date: string;
  open: string;
  close: string;
  breakStart?: string;
  breakEnd?: string;
}

/** Sessions of calendar `name` from `from` to `to` (both inclusive), with their hours in UTC. */
export function sessionTimes(name: string, from: string, to: string): SessionTimes[] {
  const calendar = getCalendar(name);
  const range = dateRange(from, to);
  if (range.from === undefined || range.to === undefined)
    throw new MarketInvalidOptionError('from/to', `${from}..${to}`, "both dates, as 'YYYY-MM-DD'");
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  return calendar.sessions(range.from, range.to).map((date) => {
    const out: SessionTimes = {
      date,
      open: iso(calendar.sessionOpen(date)),
      close: iso(calendar.sessionClose(date)),
    };
    const pause = calendar.sessionBreak(date);
    if (pause !== undefined) {
      out.breakStart = iso(pause.start);
      out.breakEnd = iso(pause.end);
    }
    return out;
  });
}

/** A calendar's description for listings. */
export interface CalendarInfo {
  name: string;
  timezone: string;
  firstDate: string;
  lastDate: string;
}

/** Every calendar with its time zone and supported range. */
export function calendarInfos(names: readonly string[]): CalendarInfo[] {
  return names.map((n) => {
    const c = getCalendar(n);
    return { name: c.name, timezone: c.timezone, firstDate: c.firstDate, lastDate: c.lastDate };
  });
}
