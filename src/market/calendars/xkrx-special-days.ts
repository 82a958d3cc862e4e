/**
 * Korea Exchange days decided by the government or the exchange rather than by a standing rule:
 * election days, temporary holidays, the year-end closures before 2001, and the dates of the
 * college scholastic ability test (수능, suneung), on which trading starts late so that
 * examinees can travel.
 *
 * Every entry is checked against the KRX reference sessions (1986-01-04..2026-12-30). Where
 * that record is the only source, the reason says so. The record trades on three election days
 * (1995-06-27, 1996-04-11, 1998-06-04), so those are not closures here.
 */
import type { AdHocDay } from './holiday-rules.js';

/** Full-day closures that no recurring rule produces. */
export const XKRX_AD_HOC_CLOSURES: readonly AdHocDay[] = [
  ['1987-10-27', 'Constitutional referendum'],
  ['1987-12-16', 'Presidential election'],
  ['1988-02-25', 'Presidential inauguration'],
  ['1988-04-26', 'National Assembly election'],
  ['1989-10-02', 'Substitute holiday for Armed Forces Day (1989-1990 substitute rule)'],
  ['1989-10-12', 'Exchange closure (KRX historical record)'],
  ['1991-03-26', 'Local council election'],
  ['1991-06-20', 'Metropolitan council election'],
  ['1992-03-24', 'National Assembly election'],
  ['1992-12-18', 'Presidential election'],
  ['1993-07-07', 'Exchange closure (KRX historical record)'],
  ['1994-01-03', 'New Year closure (Jan 1-2 fell on a weekend)'],
  ['1994-02-14', 'Exchange closure (KRX historical record)'],
  ['1994-05-20', 'Exchange closure (KRX historical record)'],
  ['1997-12-18', 'Presidential election'],
  ['2000-01-03', 'Millennium (Y2K) closure'],
  ['2000-04-13', 'National Assembly election'],
  ['2002-06-13', 'Local elections'],
  ['2002-07-01', 'Temporary holiday (FIFA World Cup)'],
  ['2002-12-19', 'Presidential election'],
  ['2004-04-15', 'National Assembly election'],
  ['2006-05-31', 'Local elections'],
  ['2007-12-19', 'Presidential election'],
  ['2008-04-09', 'National Assembly election'],
  ['2010-06-02', 'Local elections'],
  ['2012-04-11', 'National Assembly election'],
  ['2012-12-19', 'Presidential election'],
  ['2014-06-04', 'Local elections'],
  ['2015-08-14', 'Temporary holiday (70th anniversary of liberation)'],
  ['2016-04-13', 'National Assembly election'],
  ['2016-05-06', 'Temporary holiday'],
  ['2017-05-09', 'Presidential election'],
  ['2017-10-02', 'Temporary holiday'],
  ['2018-06-13', 'Local elections'],
  ['2020-04-15', 'National Assembly election'],
  ['2020-08-17', 'Temporary holiday'],
  ['2022-03-09', 'Presidential election'],
  ['2022-06-01', 'Local elections'],
  ['2023-10-02', 'Temporary holiday'],
  ['2024-04-10', 'National Assembly election'],
  ['2024-10-01', 'Temporary holiday (Armed Forces Day)'],
  ['2025-01-27', 'Temporary holiday'],
  ['2025-06-03', 'Presidential election'],
  ['2026-06-03', 'Local elections'],
];

/**
 * Year-end closures before 2001, when the exchange set the closing days each year (from 2001
 * the rule is the last business day of December, see xkrx.ts).
 */
export const XKRX_YEAR_END_CLOSURES_BEFORE_2001: readonly AdHocDay[] = [
  ...closures('1986', ['12-29', '12-30', '12-31']),
  ...closures('1987', ['12-28', '12-29', '12-30', '12-31']),
  ...closures('1988', ['12-27', '12-28', '12-29', '12-30', '12-31']),
  ...closures('1989', ['12-27', '12-28', '12-29', '12-30']),
  ...closures('1990', ['12-27', '12-28', '12-31']),
  ...closures('1991', ['12-27', '12-30', '12-31']),
  ...closures('1992', ['12-28', '12-29', '12-30', '12-31']),
  ...closures('1993', ['12-29', '12-30', '12-31']),
  ...closures('1994', ['12-29', '12-30', '12-31']),
  ...closures('1995', ['12-29', '12-30']),
  ...closures('1996', ['12-30', '12-31']),
  ...closures('1997', ['12-29', '12-30', '12-31']),
  ...closures('1998', ['12-29', '12-30', '12-31']),
  ...closures('1999', ['12-29', '12-30', '12-31']),
  ...closures('2000', ['12-27', '12-28', '12-29']),
];

function closures(year: string, days: readonly string[]): AdHocDay[] {
  return days.map((day) => [`${year}-${day}`, 'Year-end closure'] as const);
}

/**
 * Suneung days. 1993 held two sittings (August and November); 2017's test was postponed a
 * week by the Pohang earthquake and the reference data shows the late open on both the original
 * and the new date; 2020's was moved to December by COVID-19. The reference data has no late
 * open for 2026 (the test is scheduled for 2026-11-19), so neither does this table: add the date
 * once the exchange confirms its hours.
 */
export const XKRX_SUNEUNG_DAYS: readonly string[] = [
  '1993-08-20',
  '1993-11-16',
  '1994-11-23',
  '1995-11-22',
  '1996-11-13',
  '1997-11-19',
  '1998-11-18',
  '1999-11-17',
  '2000-11-15',
  '2001-11-07',
  '2002-11-06',
  '2003-11-05',
  '2004-11-17',
  '2005-11-23',
  '2006-11-16',
  '2007-11-15',
  '2008-11-13',
  '2009-11-12',
  '2010-11-18',
  '2011-11-10',
  '2012-11-08',
  '2013-11-07',
  '2014-11-13',
  '2015-11-12',
  '2016-11-17',
  '2017-11-16',
  '2017-11-23',
  '2018-11-15',
  '2019-11-14',
  '2020-12-03',
  '2021-11-18',
  '2022-11-17',
  '2023-11-16',
  '2024-11-14',
  '2025-11-13',
];

/**
 * Years whose one-hour new-year late open is not on the first session: `null` when there was
 * none (the first business day of 1994 and 2000 was itself an ad-hoc closure, so the session
 * after it opened normally), or the date it fell on (1990: the second session).
 */
export const XKRX_NEW_YEAR_LATE_OPEN_OVERRIDES: ReadonlyMap<number, string | null> = new Map([
  [1990, '1990-01-04'],
  [1994, null],
  [2000, null],
]);

/** Further one-hour late opens recorded in the reference data without a recurring reason. */
export const XKRX_AD_HOC_LATE_OPENS: readonly AdHocDay[] = [
  ['2026-12-30', 'Late open (10:00) as recorded in the KRX reference data'],
];
