import { describe, expect, it } from 'vitest';
import {
  dayOf,
  daysInMonth,
  formatDay,
  isWeekend,
  parseDay,
  weekdayOf,
  WEEKDAY,
  yearOf,
} from './civil-date.js';

describe('civil dates', () => {
  it('numbers days from 1970-01-01 and formats them back', () => {
    expect(dayOf(1970, 1, 1)).toBe(0);
    expect(dayOf(2000, 3, 1)).toBe(Date.UTC(2000, 2, 1) / 86_400_000);
    expect(formatDay(dayOf(2024, 2, 29))).toBe('2024-02-29');
    expect(dayOf(2024, 3, 0)).toBe(dayOf(2024, 2, 29));
  });

  it('round-trips every day from 1900 to 2100 through year, text and parse', () => {
    const wrong: string[] = [];
    for (let day = dayOf(1900, 1, 1); day <= dayOf(2100, 12, 31); day += 1) {
      const text = formatDay(day);
      if (yearOf(day) !== Number(text.slice(0, 4)) || parseDay(text) !== day) wrong.push(text);
    }
    expect(wrong).toEqual([]);
  });

  it('knows weekdays and weekends', () => {
    expect(weekdayOf(dayOf(1970, 1, 1))).toBe(WEEKDAY.Thursday);
    expect(weekdayOf(dayOf(1969, 12, 28))).toBe(WEEKDAY.Sunday);
    expect(isWeekend(dayOf(2024, 6, 15))).toBe(true);
    expect(isWeekend(dayOf(2024, 6, 17))).toBe(false);
  });

  it('rejects malformed and non-existent dates', () => {
    for (const bad of [
      '2023-02-29',
      '2024-13-01',
      '2024-00-10',
      '2024-04-31',
      '2024-4-01',
      '20240401',
      '2024-04-01T00:00',
      ' 2024-04-01',
      '2024/04/01',
      '',
    ]) {
      expect(parseDay(bad), bad).toBeUndefined();
    }
    expect(parseDay('0099-01-01')).toBe(dayOf(99, 1, 1));
    expect(yearOf(dayOf(99, 1, 1))).toBe(99);
  });

  it('counts days in months, leap years included', () => {
    expect([1900, 2000, 2023, 2024].map((year) => daysInMonth(year, 2))).toEqual([28, 29, 28, 29]);
    expect(daysInMonth(2024, 4)).toBe(30);
    expect(daysInMonth(2024, 12)).toBe(31);
  });
});
