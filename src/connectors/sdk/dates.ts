import { formatDay, MS_PER_DAY, parseDay } from '../../core/index.js';

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = dateFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    dateFormatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock 'YYYY-MM-DD HH:MM:SS' of an instant in an IANA time zone. */
export function localDateTime(epochMs: number, timeZone: string): string {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(epochMs)
      .map((p) => [p.type, p.value]),
  );
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']}:${parts['second']}`;
}

/** Civil date 'YYYY-MM-DD' of an instant in an IANA time zone (a session date for daily bars). */
export function localDate(epochMs: number, timeZone: string): string {
  return localDateTime(epochMs, timeZone).slice(0, 10);
}

/** 'YYYY-MM-DD HH:MM:SS' in UTC of an instant. */
export function utcDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The instant at which clocks in `timeZone` show the wall time `wall` ('YYYY-MM-DD HH:MM[:SS]').
 * Two looks at the offset settle any DST change next to the wall time.
 */
export function zonedToEpochMs(wall: string, timeZone: string): number {
  const asUtc = Date.parse(`${wall.replace(' ', 'T')}${wall.length === 16 ? ':00' : ''}Z`);
  const offset = (ms: number): number =>
    Date.parse(`${localDateTime(ms, timeZone).replace(' ', 'T')}Z`) - ms;
  const guess = asUtc - offset(asUtc);
  return asUtc - offset(guess);
}

/** `date` plus `days` (negative allowed). */
export function addDays(date: string, days: number): string {
  const n = parseDay(date);
  if (n === undefined) throw new RangeError(`"${date}" is not a YYYY-MM-DD date`);
  return formatDay(n + days);
}

/** Epoch ms of 00:00 UTC on `date`. */
export function dayStartUtcMs(date: string): number {
  const n = parseDay(date);
  if (n === undefined) throw new RangeError(`"${date}" is not a YYYY-MM-DD date`);
  return n * MS_PER_DAY;
}

/** 'YYYYMMDD' form of a 'YYYY-MM-DD' date (KRX, data.go.kr, Stooq parameters). */
export function compactDate(date: string): string {
  return date.replaceAll('-', '');
}

/** 'YYYY-MM-DD' form of a 'YYYYMMDD' date, or undefined when it is not one. */
export function isoFromCompact(text: string): string | undefined {
  const iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
  return text.length === 8 && parseDay(iso) !== undefined ? iso : undefined;
}
