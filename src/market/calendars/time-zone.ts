/**
 * Wall-clock time in an IANA time zone to UTC instants, using only Intl.
 *
 * Session tables are built once per year, so a few Intl calls per session are affordable; the
 * formatter is cached per zone because constructing one costs far more than using it.
 */
import { MS_PER_DAY } from './civil-date.js';

/** Milliseconds since 1970-01-01T00:00:00Z: the unit every calendar time is returned in. */
export type EpochMs = number;

const MS_PER_MINUTE = 60_000;
const OFFSET_PATTERN = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

// 'longOffset' prints the offset itself ("GMT-04:00"): one format() call, three times cheaper
// than reading the wall clock back with formatToParts.
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** UTC offset of `timeZone` at instant `epochMs`, in minutes (east of Greenwich positive). */
export function utcOffsetMinutes(timeZone: string, epochMs: EpochMs): number {
  if (timeZone === 'UTC') return 0;
  const text = formatterFor(timeZone).format(epochMs);
  const match = OFFSET_PATTERN.exec(text);
  if (match === null) throw new Error(`cannot read a UTC offset from "${text}" (${timeZone})`);
  const [, sign, hours, minutes, seconds] = match;
  if (sign === undefined) return 0;
  const magnitude = Number(hours) * 60 + Number(minutes ?? 0) + Number(seconds ?? 0) / 60;
  return sign === '-' ? -magnitude : magnitude;
}

/**
 * The instant at which clocks in `timeZone` show `minuteOfDay` on civil day `dayNumber`.
 *
 * `minuteOfDay` may be negative or exceed 1440 (an FX session opens at 17:00 the day before).
 * Wall times skipped or repeated by a DST change resolve deterministically but without a
 * promise of which reading wins: exchange hours never sit in those gaps.
 */
export function zonedTimeToEpochMs(
  timeZone: string,
  dayNumber: number,
  minuteOfDay: number,
): EpochMs {
  const wallMs = dayNumber * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE;
  if (timeZone === 'UTC') return wallMs;
  // The offset at the wall time read as UTC is at most one DST change away from the right one,
  // so a second look at the first guess settles it.
  const guess = wallMs - utcOffsetMinutes(timeZone, wallMs) * MS_PER_MINUTE;
  return wallMs - utcOffsetMinutes(timeZone, guess) * MS_PER_MINUTE;
}
