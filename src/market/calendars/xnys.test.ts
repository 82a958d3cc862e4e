import { describe, expect, it } from 'vitest';
import { getCalendar } from '../index.js';

const xnys = getCalendar('XNYS');

function closedWeekdays(from: string, to: string): string[] {
  const sessions = new Set(xnys.sessions(from, to));
  const closed: string[] = [];
  for (let ms = Date.parse(from); ms <= Date.parse(to); ms += 86_400_000) {
    const date = new Date(ms);
    const weekday = date.getUTCDay();
    const text = date.toISOString().slice(0, 10);
    if (weekday !== 0 && weekday !== 6 && !sessions.has(text)) closed.push(text);
  }
  return closed;
}

function localClose(date: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'America/New_York',
    hour: '2-digit',
    minute: '2-digit',
  }).format(xnys.sessionClose(date));
}

describe('XNYS', () => {
  it('opens at 09:30 New York, so the UTC open moves with daylight saving time', () => {
    // DST began 2023-03-12 and ended 2022-11-06 and 2023-11-05.
    expect(xnys.sessionOpen('2023-03-10')).toBe(Date.parse('2023-03-10T14:30:00Z'));
    expect(xnys.sessionOpen('2023-03-13')).toBe(Date.parse('2023-03-13T13:30:00Z'));
    expect(xnys.sessionClose('2023-03-13')).toBe(Date.parse('2023-03-13T20:00:00Z'));
    expect(xnys.sessionOpen('2022-11-04')).toBe(Date.parse('2022-11-04T13:30:00Z'));
    expect(xnys.sessionOpen('2022-11-07')).toBe(Date.parse('2022-11-07T14:30:00Z'));
    expect(xnys.minutes('2023-03-13')).toBe(390);
  });

  it('closes on the 2024 and 2025 holidays the exchange published', () => {
    expect(closedWeekdays('2024-01-01', '2024-12-31')).toEqual([
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-03-29',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-11-28',
      '2024-12-25',
    ]);
    expect(closedWeekdays('2025-01-01', '2025-12-31')).toEqual([
      '2025-01-01',
      '2025-01-09',
      '2025-01-20',
      '2025-02-17',
      '2025-04-18',
      '2025-05-26',
      '2025-06-19',
      '2025-07-04',
      '2025-09-01',
      '2025-11-27',
      '2025-12-25',
    ]);
  });

  it('observes weekend holidays on the nearest weekday, except New Year on a Saturday', () => {
    expect(xnys.isSession('2021-12-31')).toBe(true); // 2022-01-01 was a Saturday
    expect(xnys.isSession('2023-01-02')).toBe(false); // 2023-01-01 was a Sunday
    expect(xnys.isSession('2021-12-24')).toBe(false); // Christmas 2021 was a Saturday
    expect(xnys.isSession('2022-06-20')).toBe(false); // Juneteenth 2022 was a Sunday
    expect(xnys.isSession('2021-06-18')).toBe(true); // no Juneteenth before 2022
    expect(xnys.isSession('1997-01-20')).toBe(true); // no MLK Day before 1998
  });

  it('closes early at 13:00 on the published early-close days', () => {
    for (const date of [
      '2024-07-03',
      '2024-11-29',
      '2024-12-24',
      '2025-07-03',
      '2025-11-28',
      '2025-12-24',
    ]) {
      expect(localClose(date), date).toBe('13:00');
    }
    expect(localClose('2013-07-03')).toBe('13:00'); // Wednesdays before July 4 from 2013
    expect(localClose('2002-07-03')).toBe('16:00'); // ...but not before
    expect(localClose('2002-07-05')).toBe('13:00'); // Friday after July 4 until 2012
    expect(localClose('2019-07-05')).toBe('16:00');
    expect(localClose('1991-12-24')).toBe('14:00'); // 14:00 early closes until 1992
    expect(localClose('1991-11-29')).toBe('16:00');
  });

  it('closes for ad-hoc events', () => {
    for (const date of [
      '2001-09-11',
      '2001-09-14',
      '2012-10-29',
      '2012-10-30',
      '2018-12-05',
      '2025-01-09',
    ]) {
      expect(xnys.isSession(date), date).toBe(false);
    }
    expect(xnys.nextSession('2001-09-10')).toBe('2001-09-17');
  });

  it('shares every session with XNAS', () => {
    const xnas = getCalendar('XNAS');
    expect(xnas.sessions('1990-01-01', '2030-12-31')).toEqual(
      xnys.sessions('1990-01-01', '2030-12-31'),
    );
    expect(xnas.sessionClose('2024-12-24')).toBe(xnys.sessionClose('2024-12-24'));
    expect(xnas.name).toBe('XNAS');
  });
});
