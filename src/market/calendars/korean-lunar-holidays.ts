/**
 * Korean lunar holidays by Gregorian date: Seollal (lunar new year, 1st day of the 1st month),
 * Buddha's Birthday (8th day of the 4th month) and Chuseok (15th day of the 8th month).
 *
 * A table rather than an algorithm: the Korean lunisolar calendar is fixed by the Korea
 * Astronomy and Space Science Institute (KASI) from astronomical new moons at 135°E, and the
 * public holidays follow its publication. The dates below agree with KASI and with ICU's
 * `dangi` calendar; 1986..2026 are also checked against the KRX session reference data.
 * Extending the table past 2050 extends the XKRX calendar.
 */

/** Lunar-holiday dates of one year, as 'MM-DD' in the Gregorian calendar. */
export interface KoreanLunarDates {
  /** Seollal (lunar new year's day) as 'MM-DD'. */
  readonly seollal: string;
  /** Buddha's Birthday as 'MM-DD'. */
  readonly buddhasBirthday: string;
  /** Chuseok as 'MM-DD'. */
  readonly chuseok: string;
}

/** First year of the table. */
export const KOREAN_LUNAR_FIRST_YEAR = 1986;
/** Last year of the table. */
export const KOREAN_LUNAR_LAST_YEAR = 2050;

// year seollal buddha chuseok (MMDD)
const TABLE = `
1986 0209 0516 0918
1987 0129 0505 1007
1988 0218 0523 0925
1989 0206 0512 0914
1990 0127 0502 1003
1991 0215 0521 0922
1992 0204 0510 0911
1993 0123 0528 0930
1994 0210 0518 0920
1995 0131 0507 0909
1996 0219 0524 0927
1997 0208 0514 0916
1998 0128 0503 1005
1999 0216 0522 0924
2000 0205 0511 0912
2001 0124 0501 1001
2002 0212 0519 0921
2003 0201 0508 0911
2004 0122 0526 0928
2005 0209 0515 0918
2006 0129 0505 1006
2007 0218 0524 0925
2008 0207 0512 0914
2009 0126 0502 1003
2010 0214 0521 0922
2011 0203 0510 0912
2012 0123 0528 0930
2013 0210 0517 0919
2014 0131 0506 0908
2015 0219 0525 0927
2016 0208 0514 0915
2017 0128 0503 1004
2018 0216 0522 0924
2019 0205 0512 0913
2020 0125 0430 1001
2021 0212 0519 0921
2022 0201 0508 0910
2023 0122 0527 0929
2024 0210 0515 0917
2025 0129 0505 1006
2026 0217 0524 0925
2027 0207 0513 0915
2028 0127 0502 1003
2029 0213 0520 0922
2030 0203 0509 0912
2031 0123 0528 1001
2032 0211 0516 0919
2033 0131 0506 0908
2034 0219 0525 0927
2035 0208 0515 0916
2036 0128 0503 1004
2037 0215 0522 0924
2038 0204 0511 0913
2039 0124 0430 1002
2040 0212 0518 0921
2041 0201 0507 0910
2042 0122 0526 0928
2043 0210 0516 0917
2044 0130 0505 1005
2045 0217 0524 0925
2046 0206 0513 0915
2047 0126 0502 1004
2048 0214 0520 0922
2049 0202 0509 0911
2050 0123 0528 0930
`;

let parsed: Map<number, KoreanLunarDates> | undefined;

function table(): Map<number, KoreanLunarDates> {
  if (parsed !== undefined) return parsed;
  parsed = new Map();
  for (const line of TABLE.trim().split('\n')) {
    const [year, seollal, buddha, chuseok] = line.split(' ');
    if (
      year === undefined ||
      seollal === undefined ||
      buddha === undefined ||
      chuseok === undefined
    ) {
      throw new Error(`malformed Korean lunar table line "${line}"`);
    }
    const mmdd = (text: string): string => `${text.slice(0, 2)}-${text.slice(2, 4)}`;
    parsed.set(Number(year), {
      seollal: mmdd(seollal),
      buddhasBirthday: mmdd(buddha),
      chuseok: mmdd(chuseok),
    });
  }
  return parsed;
}

/** The lunar-holiday dates of `year`; throws for years outside the table (a programming error). */
export function koreanLunarDates(year: number): KoreanLunarDates {
  const dates = table().get(year);
  if (dates === undefined) {
    throw new RangeError(
      `no Korean lunar-holiday dates for ${year}; the table covers ${KOREAN_LUNAR_FIRST_YEAR}..${KOREAN_LUNAR_LAST_YEAR}`,
    );
  }
  return dates;
}
