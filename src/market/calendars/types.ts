/**
 * Public types of exchange calendars.
 *
 * Conventions: a session is named by its date in the exchange's local calendar, written
 * 'YYYY-MM-DD' (an FX session is named by the New York date on which it closes). Instants are
 * epoch milliseconds in UTC (`EpochMs`): plain numbers are immutable, cheap to cache and compare,
 * and convert with `new Date(ms)` when a Date is wanted.
 */
import type { EpochMs } from './time-zone.js';

export type { EpochMs } from './time-zone.js';

/** A session date: 'YYYY-MM-DD' in the exchange's local calendar. */
export type SessionDate = string;

/** Names of the calendars marketlake defines. */
export type CalendarName = 'XNYS' | 'XNAS' | 'XKRX' | 'CRYPTO' | 'FX';

/** A midday break (XKRX lunch break before 2000-05-22): trading stops at `start`, resumes at `end`. */
export interface SessionBreak {
  /** When trading pauses (UTC epoch ms). */
  readonly start: EpochMs;
  /** When trading resumes (UTC epoch ms). */
  readonly end: EpochMs;
}

/**
 * Trading sessions of one exchange. Every method validates its date: a malformed date throws
 * `MarketInvalidDateError`, one outside `firstDate..lastDate` throws `MarketDateOutOfRangeError`,
 * and a per-session question about a non-session throws `MarketNotASessionError`.
 */
export interface ExchangeCalendar {
  /** Calendar name (an ISO 10383 MIC for exchanges). */
  readonly name: CalendarName;
  /** IANA time zone of the exchange; session dates are civil dates in this zone. */
  readonly timezone: string;
  /** First date the calendar defines (inclusive). */
  readonly firstDate: SessionDate;
  /** Last date the calendar defines (inclusive). */
  readonly lastDate: SessionDate;
  /** Whether the exchange trades on `date`. */
  isSession(date: SessionDate): boolean;
  /** Sessions from `from` to `to`, both inclusive, ascending; neither needs to be a session. */
  sessions(from: SessionDate, to: SessionDate): SessionDate[];
  /** The first session strictly after `date` (which need not be a session). */
  nextSession(date: SessionDate): SessionDate;
  /** The last session strictly before `date` (which need not be a session). */
  previousSession(date: SessionDate): SessionDate;
  /** When the session on `date` opens (UTC epoch ms). */
  sessionOpen(date: SessionDate): EpochMs;
  /** When the session on `date` closes (UTC epoch ms). */
  sessionClose(date: SessionDate): EpochMs;
  /** The session's midday break, or undefined when it trades straight through. */
  sessionBreak(date: SessionDate): SessionBreak | undefined;
  /** Trading minutes of the session on `date`: open to close, minus any break. */
  minutes(date: SessionDate): number;
}
