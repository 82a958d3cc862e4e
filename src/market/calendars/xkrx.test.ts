import { describe, expect, it } from 'vitest';
import { getCalendar } from '../index.js';

const xkrx = getCalendar('XKRX');

function seoul(ms: number): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Seoul',
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(ms);
}

function hours(date: string): string {
  const brk = xkrx.sessionBreak(date);
  const time = (ms: number) => seoul(ms).slice(11);
  const lunch = brk === undefined ? '' : ` break ${time(brk.start)}-${time(brk.end)}`;
  return `${time(xkrx.sessionOpen(date))}-${time(xkrx.sessionClose(date))}${lunch}`;
}

describe('XKRX', () => {
  it('trades 09:00-15:30 Seoul since 2016-08-01, and until 15:00 before', () => {
    expect(xkrx.timezone).toBe('Asia/Seoul');
    expect(xkrx.sessionOpen('2024-06-12')).toBe(Date.parse('2024-06-12T00:00:00Z'));
    expect(hours('2024-06-12')).toBe('09:00-15:30');
    expect(xkrx.minutes('2024-06-12')).toBe(390);
    expect(hours('2016-07-29')).toBe('09:00-15:00');
    expect(hours('2016-08-01')).toBe('09:00-15:30');
  });

  it('had lunch breaks before 2000-05-22, excluded from minutes', () => {
    expect(hours('2000-05-19')).toBe('09:00-15:00 break 12:00-13:00');
    expect(xkrx.minutes('2000-05-19')).toBe(300);
    expect(hours('2000-05-22')).toBe('09:00-15:00');
    expect(xkrx.minutes('2000-05-22')).toBe(360);
    expect(hours('1996-06-12')).toBe('09:30-15:00 break 11:30-13:00');
    expect(xkrx.minutes('1996-06-12')).toBe(240);
    expect(hours('1990-06-12')).toBe('09:40-15:20 break 11:40-13:20');
    expect(hours('1986-02-12')).toBe('10:00-15:30 break 12:00-13:30');
  });

  it('traded on Saturdays until 1998-12-05', () => {
    expect(xkrx.isSession('1998-12-05')).toBe(true);
    expect(hours('1998-12-05')).toBe('09:30-15:00 break 11:30-13:00');
    expect(xkrx.isSession('1998-12-12')).toBe(false);
    expect(xkrx.isSession('1998-12-06')).toBe(false);
    expect(xkrx.nextSession('1998-12-04')).toBe('1998-12-05');
  });

  it('follows Korean daylight saving time in 1987 and 1988', () => {
    expect(xkrx.sessionOpen('1987-07-01')).toBe(Date.parse('1987-06-30T23:40:00Z'));
    expect(xkrx.sessionOpen('1987-12-01')).toBe(Date.parse('1987-12-01T00:40:00Z'));
  });

  it('opens an hour late on the first session of the year', () => {
    expect(hours('2024-01-02')).toBe('10:00-15:30');
    expect(xkrx.minutes('2024-01-02')).toBe(330);
    expect(hours('2026-01-02')).toBe('10:00-15:30');
    expect(hours('1999-01-04')).toBe('10:00-15:00 break 12:00-13:00');
    expect(hours('1995-01-03')).toBe('10:30-15:00 break 11:30-13:00');
  });

  it('starts and ends an hour late on suneung (college entrance exam) days', () => {
    expect(hours('2024-11-14')).toBe('10:00-16:30');
    expect(hours('2015-11-12')).toBe('10:00-16:00');
    expect(hours('2017-11-16')).toBe('10:00-16:30');
    expect(hours('2017-11-23')).toBe('10:00-16:30');
    expect(hours('2020-12-03')).toBe('10:00-16:30');
    expect(hours('1999-11-17')).toBe('10:00-16:00 break 13:00-14:00');
    expect(hours('1996-11-13')).toBe('10:00-15:30 break 12:00-13:30'); // 30 minutes until 1997
  });

  it('closes on the last business day of the year', () => {
    expect(xkrx.isSession('2024-12-31')).toBe(false);
    expect(xkrx.isSession('2024-12-30')).toBe(true);
    expect(xkrx.isSession('2023-12-29')).toBe(false); // Dec 30-31 2023 was a weekend
    expect(xkrx.previousSession('2024-01-02')).toBe('2023-12-28');
    expect(xkrx.isSession('2027-12-31')).toBe(false);
  });

  it('closes for Seollal and Chuseok, with substitute days', () => {
    expect(xkrx.sessions('2024-02-08', '2024-02-13')).toEqual(['2024-02-08', '2024-02-13']);
    expect(xkrx.sessions('2025-10-02', '2025-10-10')).toEqual(['2025-10-02', '2025-10-10']);
    // 2027: Seollal (Feb 6-8) covers a Sunday, so Tuesday Feb 9 is a substitute holiday.
    expect(xkrx.sessions('2027-02-05', '2027-02-10')).toEqual(['2027-02-05', '2027-02-10']);
  });

  it('closes on election days and temporary holidays', () => {
    for (const date of ['2024-04-10', '2025-06-03', '2022-03-09', '2024-10-01', '2025-01-27']) {
      expect(xkrx.isSession(date), date).toBe(false);
    }
  });
});
