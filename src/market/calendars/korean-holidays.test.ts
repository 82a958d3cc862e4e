import { describe, expect, it } from 'vitest';
import { formatDay } from './civil-date.js';
import { koreanPublicHolidays } from './korean-holidays.js';

function holidays(year: number): Record<string, string> {
  const entries = [...koreanPublicHolidays(year)].sort(([a], [b]) => a - b);
  return Object.fromEntries(entries.map(([day, name]) => [formatDay(day), name]));
}

describe('Korean public holidays', () => {
  it('lists 2025 with its substitute days', () => {
    expect(holidays(2025)).toEqual({
      '2025-01-01': "New Year's Day",
      '2025-01-28': 'Seollal',
      '2025-01-29': 'Seollal',
      '2025-01-30': 'Seollal',
      '2025-03-01': 'Independence Movement Day',
      '2025-03-03': 'Substitute holiday for Independence Movement Day',
      '2025-05-05': "Children's Day / Buddha's Birthday",
      '2025-05-06': "Substitute holiday for Children's Day and Buddha's Birthday",
      '2025-06-06': 'Memorial Day',
      '2025-08-15': 'Liberation Day',
      '2025-10-03': 'National Foundation Day',
      '2025-10-05': 'Chuseok',
      '2025-10-06': 'Chuseok',
      '2025-10-07': 'Chuseok',
      '2025-10-08': 'Substitute holiday for Chuseok',
      '2025-10-09': 'Hangul Day',
      '2025-12-25': 'Christmas Day',
    });
  });

  it('gives substitutes only under the rules in force at the time', () => {
    // 2013: Seollal's Sunday earned nothing (substitutes began in 2014).
    expect(Object.keys(holidays(2013)).filter((d) => d < '2013-03-01')).toEqual([
      '2013-01-01',
      '2013-02-09',
      '2013-02-10',
      '2013-02-11',
    ]);
    // Saturday does not count for Seollal and Chuseok (2019-09-14), but does for Children's Day.
    expect(holidays(2019)['2019-09-16']).toBeUndefined();
    expect(holidays(2018)['2018-05-07']).toBe("Substitute holiday for Children's Day");
    // National days gained substitutes from 2021-08-04, religious ones from 2023-05-04.
    expect(holidays(2020)['2020-10-05']).toBeUndefined();
    expect(holidays(2021)['2021-08-16']).toBe('Substitute holiday for Liberation Day');
    expect(holidays(2022)['2022-05-09']).toBeUndefined(); // Buddha's Birthday 2022-05-08, Sunday
    expect(holidays(2023)['2023-05-29']).toBe("Substitute holiday for Buddha's Birthday");
    expect(holidays(2027)['2027-12-27']).toBe('Substitute holiday for Christmas Day');
  });

  it('keeps the old holidays in their years', () => {
    expect(holidays(1988)['1988-02-18']).toBe('Folk Day');
    expect(holidays(1988)['1988-02-17']).toBeUndefined();
    expect(holidays(1989)['1989-01-03']).toBe('New Year holiday (Jan 3)');
    expect(holidays(2005)['2005-04-05']).toBe('Arbor Day');
    expect(holidays(2006)['2006-04-05']).toBeUndefined();
    expect(holidays(2007)['2007-07-17']).toBe('Constitution Day');
    expect(holidays(2008)['2008-07-17']).toBeUndefined();
    expect(holidays(2012)['2012-10-09']).toBeUndefined();
    expect(holidays(2013)['2013-10-09']).toBe('Hangul Day');
  });
});
