import { describe, expect, it } from 'vitest';
import { dayOf, formatDay, formatMonth, parseDay, parseMonth } from './civil-date.js';
import { localDayOf, startOfLocalDay } from './zoned-date.js';

describe('civil dates', () => {
  it('round-trips day and month numbers', () => {
    for (const date of ['1000-01-01', '1970-01-01', '2000-02-29', '2024-12-31', '9999-12-31']) {
      expect(formatDay(parseDay(date) as number)).toBe(date);
    }
    expect(parseDay('2023-02-29')).toBeUndefined();
    expect(parseDay('2024-1-01')).toBeUndefined();
    expect(formatMonth(parseMonth('2024-03') as number)).toBe('2024-03');
    expect(parseMonth('2024-13')).toBeUndefined();
    expect(dayOf(1970, 1, 1)).toBe(0);
  });
});

describe('zoned dates', () => {
  it('finds the local date of an instant', () => {
    const instant = Date.parse('2024-03-10T03:30:00Z');
    expect(formatDay(localDayOf(instant, 'America/New_York'))).toBe('2024-03-09');
    expect(formatDay(localDayOf(instant, 'Asia/Seoul'))).toBe('2024-03-10');
    expect(formatDay(localDayOf(instant, 'UTC'))).toBe('2024-03-10');
  });

  it('finds local midnight, across DST changes', () => {
    const ny = (date: string): string =>
      new Date(startOfLocalDay(parseDay(date) as number, 'America/New_York')).toISOString();
    expect(ny('2024-03-10')).toBe('2024-03-10T05:00:00.000Z'); // EST midnight, the spring-forward day
    expect(ny('2024-03-11')).toBe('2024-03-11T04:00:00.000Z'); // EDT
    expect(ny('2024-11-03')).toBe('2024-11-03T04:00:00.000Z'); // EDT midnight, the fall-back day
    expect(ny('2024-11-04')).toBe('2024-11-04T05:00:00.000Z');
    // Havana skips midnight at spring-forward (00:00 -> 01:00).
    expect(
      new Date(startOfLocalDay(parseDay('2024-03-10') as number, 'America/Havana')).toISOString(),
    ).toBe('2024-03-10T05:00:00.000Z');
  });
});
