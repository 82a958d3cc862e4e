/**
 * The civil date an instant falls on in an IANA time zone, and the instant a civil date starts.
 *
 * Only Intl is used (no time-zone library). Formatters are cached per zone because creating one
 * costs far more than using it, and the scheduler asks on every tick.
 */
import { dayOf, MS_PER_DAY } from './civil-date.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Wall-clock fields of `epochMs` in `timeZone`, as a UTC millisecond count of the same reading. */
function wallMs(epochMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const days = dayOf(parts['year'] ?? 1970, parts['month'] ?? 1, parts['day'] ?? 1);
  const seconds =
    (parts['hour'] ?? 0) * 3600 + (parts['minute'] ?? 0) * 60 + (parts['second'] ?? 0);
  return days * MS_PER_DAY + seconds * 1000 + (((epochMs % 1000) + 1000) % 1000);
}

/** Day number of the civil date `epochMs` falls on in `timeZone`. */
export function localDayOf(epochMs: number, timeZone: string): number {
  if (timeZone === 'UTC') return Math.floor(epochMs / MS_PER_DAY);
  return Math.floor(wallMs(epochMs, timeZone) / MS_PER_DAY);
}

/**
 * The first instant of civil day `dayNumber` in `timeZone` (local midnight, or the first valid
 * time after it when a DST change skips midnight).
 */
export function startOfLocalDay(dayNumber: number, timeZone: string): number {
  const wall = dayNumber * MS_PER_DAY;
  if (timeZone === 'UTC') return wall;
  // The offset at the wall time read as UTC is at most one DST change away from the right one.
  let guess = wall - (wallMs(wall, timeZone) - wall);
  guess = wall - (wallMs(guess, timeZone) - guess);
  // If midnight was skipped, the guess may land on the previous day: step to the next day start.
  while (localDayOf(guess, timeZone) < dayNumber) guess += 3_600_000;
  while (localDayOf(guess - 60_000, timeZone) >= dayNumber) guess -= 60_000;
  return guess;
}
