/**
 * South Korean public holidays (관공서의 공휴일에 관한 규정) as rules, with their history since
 * 1986 and the substitute-holiday (대체공휴일) rules introduced in 2014, 2021 and 2023.
 *
 * KRX closes on every public holiday; exchange-only closures (Labor Day, elections, the year-end
 * closure) live in xkrx.ts and xkrx-special-days.ts.
 */
import { dayOf, isWeekend, weekdayOf, WEEKDAY } from './civil-date.js';
import { ruleApplies } from './holiday-rules.js';
import type { HolidayRule } from './holiday-rules.js';
import { koreanLunarDates } from './korean-lunar-holidays.js';

/** When a holiday lost to a weekend earns a substitute day. */
type SubstituteTrigger = 'sunday' | 'weekend';

/** A Korean holiday rule, optionally eligible for a substitute holiday from a given date. */
interface KoreanHolidayRule extends HolidayRule {
  /** Substitute eligibility: from `since` (a day number) when it falls on `trigger` or on another holiday. */
  readonly substitute?: { readonly since: number; readonly trigger: SubstituteTrigger };
}

function fixed(month: number, day: number): (year: number) => number[] {
  return (year) => [dayOf(year, month, day)];
}

function lunar(key: 'seollal' | 'buddhasBirthday' | 'chuseok', offsets: readonly number[]) {
  return (year: number): number[] => {
    const mmdd = koreanLunarDates(year)[key];
    const day = dayOf(year, Number(mmdd.slice(0, 2)), Number(mmdd.slice(3, 5)));
    return offsets.map((offset) => day + offset);
  };
}

// Seollal and Chuseok count only Sunday (Saturday is not a public holiday); the others count
// both weekend days. Dates are when each amendment took effect.
const FESTIVALS_2014 = { since: dayOf(2014, 1, 1), trigger: 'sunday' } as const;
const CHILDREN_2014 = { since: dayOf(2014, 1, 1), trigger: 'weekend' } as const;
const NATIONAL_2021 = { since: dayOf(2021, 8, 4), trigger: 'weekend' } as const;
const RELIGIOUS_2023 = { since: dayOf(2023, 5, 4), trigger: 'weekend' } as const;

/** The public holidays, each with the years it was in force. */
export const KOREAN_HOLIDAY_RULES: readonly KoreanHolidayRule[] = [
  { name: "New Year's Day", days: fixed(1, 1) },
  { name: 'New Year holiday (Jan 2)', lastYear: 1998, days: fixed(1, 2) },
  { name: 'New Year holiday (Jan 3)', lastYear: 1989, days: fixed(1, 3) },
  // 1985-1988 "Folk Day" was the lunar new year's day alone; from 1989 Seollal spans three days.
  { name: 'Folk Day', lastYear: 1988, days: lunar('seollal', [0]) },
  {
    name: 'Seollal',
    firstYear: 1989,
    substitute: FESTIVALS_2014,
    days: lunar('seollal', [-1, 0, 1]),
  },
  { name: 'Independence Movement Day', substitute: NATIONAL_2021, days: fixed(3, 1) },
  { name: 'Arbor Day', lastYear: 2005, days: fixed(4, 5) },
  { name: "Children's Day", substitute: CHILDREN_2014, days: fixed(5, 5) },
  { name: "Buddha's Birthday", substitute: RELIGIOUS_2023, days: lunar('buddhasBirthday', [0]) },
  { name: 'Memorial Day', days: fixed(6, 6) },
  { name: 'Constitution Day', lastYear: 2007, days: fixed(7, 17) },
  { name: 'Liberation Day', substitute: NATIONAL_2021, days: fixed(8, 15) },
  // Chuseok was the day and the day after until 1988, and the day before, of and after since.
  { name: 'Chuseok', lastYear: 1988, days: lunar('chuseok', [0, 1]) },
  {
    name: 'Chuseok',
    firstYear: 1989,
    substitute: FESTIVALS_2014,
    days: lunar('chuseok', [-1, 0, 1]),
  },
  { name: 'Armed Forces Day', lastYear: 1990, days: fixed(10, 1) },
  { name: 'National Foundation Day', substitute: NATIONAL_2021, days: fixed(10, 3) },
  { name: 'Hangul Day', lastYear: 1990, days: fixed(10, 9) },
  { name: 'Hangul Day', firstYear: 2013, substitute: NATIONAL_2021, days: fixed(10, 9) },
  { name: 'Christmas Day', substitute: RELIGIOUS_2023, days: fixed(12, 25) },
];

function losesDay(rule: KoreanHolidayRule, day: number, sharedWithAnother: boolean): boolean {
  const substitute = rule.substitute;
  if (substitute === undefined || day < substitute.since) return false;
  if (sharedWithAnother) return true;
  return substitute.trigger === 'sunday' ? weekdayOf(day) === WEEKDAY.Sunday : isWeekend(day);
}

/**
 * Public holidays of `year` by day number, substitute holidays included.
 *
 * A holiday eligible for substitution that falls on its trigger weekend day, or on the same day
 * as another holiday, adds the first following weekday that is not already a holiday. One lost
 * day earns one substitute, however many holidays share it (2025-05-05: Children's Day and
 * Buddha's Birthday gave 2025-05-06 only).
 */
export function koreanPublicHolidays(year: number): Map<number, string> {
  const names = new Map<number, string[]>();
  const rulesByDay = new Map<number, KoreanHolidayRule[]>();
  for (const rule of KOREAN_HOLIDAY_RULES) {
    if (!ruleApplies(rule, year)) continue;
    for (const day of rule.days(year)) {
      names.set(day, [...(names.get(day) ?? []), rule.name]);
      rulesByDay.set(day, [...(rulesByDay.get(day) ?? []), rule]);
    }
  }
  const lostDays = [...rulesByDay.entries()]
    .filter(([day, rules]) => rules.some((rule) => losesDay(rule, day, rules.length > 1)))
    .map(([day]) => day)
    .sort((a, b) => a - b);
  for (const lost of lostDays) {
    let substitute = lost + 1;
    while (isWeekend(substitute) || names.has(substitute)) substitute += 1;
    names.set(substitute, [`Substitute holiday for ${(names.get(lost) ?? []).join(' and ')}`]);
  }
  return new Map([...names.entries()].map(([day, dayNames]) => [day, dayNames.join(' / ')]));
}
