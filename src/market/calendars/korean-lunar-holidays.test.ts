import { describe, expect, it } from 'vitest';
import {
  KOREAN_LUNAR_FIRST_YEAR,
  KOREAN_LUNAR_LAST_YEAR,
  koreanLunarDates,
} from './korean-lunar-holidays.js';

// ICU's 'dangi' calendar is the Korean lunisolar calendar; leap months print as e.g. "4bis".
const dangi = new Intl.DateTimeFormat('en-u-ca-dangi', {
  timeZone: 'UTC',
  month: 'numeric',
  day: 'numeric',
});

function lunarMonthDay(date: string): string {
  return dangi.format(Date.parse(`${date}T00:00:00Z`));
}

describe('Korean lunar-holiday table', () => {
  it('agrees with the Korean lunisolar calendar for every year', () => {
    const wrong: string[] = [];
    for (let year = KOREAN_LUNAR_FIRST_YEAR; year <= KOREAN_LUNAR_LAST_YEAR; year += 1) {
      const dates = koreanLunarDates(year);
      const expected = { seollal: '1/1', buddhasBirthday: '4/8', chuseok: '8/15' };
      for (const key of ['seollal', 'buddhasBirthday', 'chuseok'] as const) {
        const found = lunarMonthDay(`${year}-${dates[key]}`);
        if (found !== expected[key]) wrong.push(`${year} ${key}: ${dates[key]} is lunar ${found}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses years outside the table', () => {
    expect(() => koreanLunarDates(KOREAN_LUNAR_LAST_YEAR + 1)).toThrow(/table covers 1986\.\.2050/);
  });
});
