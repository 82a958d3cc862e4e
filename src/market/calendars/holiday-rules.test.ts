import { describe, expect, it } from 'vitest';
import { dayOf, formatDay, WEEKDAY } from './civil-date.js';
import {
  adHocDaysIn,
  daysClosedBy,
  easterSunday,
  goodFriday,
  nearestWorkday,
  nthWeekday,
  sundayToMondayOrDrop,
  weekdayIn,
} from './holiday-rules.js';

describe('holiday rules', () => {
  it('computes Gregorian Easter and Good Friday', () => {
    const easters: Record<number, string> = {
      1990: '1990-04-15',
      2000: '2000-04-23',
      2008: '2008-03-23',
      2011: '2011-04-24',
      2024: '2024-03-31',
      2025: '2025-04-20',
      2038: '2038-04-25',
      2285: '2285-03-22',
    };
    for (const [year, easter] of Object.entries(easters)) {
      expect(formatDay(easterSunday(Number(year)))).toBe(easter);
    }
    expect(formatDay(goodFriday(2024))).toBe('2024-03-29');
  });

  it('finds the nth and the last weekday of a month', () => {
    expect(formatDay(nthWeekday(2024, 1, WEEKDAY.Monday, 3))).toBe('2024-01-15');
    expect(formatDay(nthWeekday(2024, 11, WEEKDAY.Thursday, 4))).toBe('2024-11-28');
    expect(formatDay(nthWeekday(2024, 9, WEEKDAY.Monday, 1))).toBe('2024-09-02');
    expect(formatDay(nthWeekday(2024, 5, WEEKDAY.Monday, -1))).toBe('2024-05-27');
    expect(formatDay(nthWeekday(2021, 5, WEEKDAY.Monday, -1))).toBe('2021-05-31');
  });

  it('applies weekend observance', () => {
    expect(formatDay(nearestWorkday(dayOf(2020, 7, 4)))).toBe('2020-07-03');
    expect(formatDay(nearestWorkday(dayOf(2021, 7, 4)))).toBe('2021-07-05');
    expect(formatDay(nearestWorkday(dayOf(2024, 7, 4)))).toBe('2024-07-04');
    expect(sundayToMondayOrDrop(dayOf(2023, 1, 1)).map(formatDay)).toEqual(['2023-01-02']);
    expect(sundayToMondayOrDrop(dayOf(2022, 1, 1))).toEqual([]);
    expect(weekdayIn(dayOf(2024, 7, 5), [WEEKDAY.Friday]).map(formatDay)).toEqual(['2024-07-05']);
    expect(weekdayIn(dayOf(2024, 7, 4), [WEEKDAY.Friday])).toEqual([]);
  });

  it('honours first and last years and ad-hoc lists', () => {
    const rules = [
      { name: 'a', firstYear: 2000, days: (y: number) => [dayOf(y, 1, 5)] },
      { name: 'b', lastYear: 1999, days: (y: number) => [dayOf(y, 1, 6)] },
      { name: 'c', days: (y: number) => [dayOf(y, 1, 5)] },
    ];
    expect(daysClosedBy(rules, 1999).map(formatDay)).toEqual(['1999-01-05', '1999-01-06']);
    expect(daysClosedBy(rules, 2000).map(formatDay)).toEqual(['2000-01-05']);
    const adHoc = [
      ['2001-09-11', 'x'],
      ['2002-01-01', 'y'],
    ] as const;
    expect(adHocDaysIn(adHoc, 2001).map(formatDay)).toEqual(['2001-09-11']);
  });
});
