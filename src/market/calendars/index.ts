/** Exchange calendars: trading sessions, hours and breaks of XNYS, XNAS, XKRX, CRYPTO and FX. */
export { getCalendar, listCalendars } from './calendar-registry.js';
export type {
  CalendarName,
  EpochMs,
  ExchangeCalendar,
  SessionBreak,
  SessionDate,
} from './types.js';
