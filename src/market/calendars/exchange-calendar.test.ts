import { describe, expect, it } from 'vitest';
import {
  getCalendar,
  MarketDateOutOfRangeError,
  MarketInvalidDateError,
  MarketInvalidDateRangeError,
  MarketNotASessionError,
} from '../index.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

const xnys = getCalendar('XNYS');

describe('ExchangeCalendar API (on XNYS)', () => {
  it('exposes its name, zone and supported range', () => {
    expect(xnys.name).toBe('XNYS');
    expect(xnys.timezone).toBe('America/New_York');
    expect(xnys.firstDate).toBe('1990-01-01');
    expect(xnys.lastDate).toBe('2099-12-31');
  });

  it('tells sessions from weekends and holidays', () => {
    expect(xnys.isSession('2024-07-03')).toBe(true);
    expect(xnys.isSession('2024-07-04')).toBe(false);
    expect(xnys.isSession('2024-07-06')).toBe(false);
    expect(xnys.isSession('2024-03-29')).toBe(false);
  });

  it('lists sessions in an inclusive range whose ends need not be sessions', () => {
    expect(xnys.sessions('2024-07-01', '2024-07-08')).toEqual([
      '2024-07-01',
      '2024-07-02',
      '2024-07-03',
      '2024-07-05',
      '2024-07-08',
    ]);
    expect(xnys.sessions('2024-07-04', '2024-07-04')).toEqual([]);
    expect(xnys.sessions('2023-12-29', '2024-01-02')).toEqual(['2023-12-29', '2024-01-02']);
    expect(xnys.sessions('2024-01-01', '2024-12-31')).toHaveLength(252);
  });

  it('returns a fresh array the caller may change', () => {
    const first = xnys.sessions('2024-01-01', '2024-01-31');
    first.length = 0;
    expect(xnys.sessions('2024-01-01', '2024-01-31')).toHaveLength(21);
  });

  it('finds the next and previous sessions strictly after and before a date', () => {
    expect(xnys.nextSession('2024-07-03')).toBe('2024-07-05');
    expect(xnys.nextSession('2024-07-04')).toBe('2024-07-05');
    expect(xnys.previousSession('2024-07-05')).toBe('2024-07-03');
    expect(xnys.nextSession('2023-12-29')).toBe('2024-01-02');
    expect(xnys.previousSession('2024-01-02')).toBe('2023-12-29');
    expect(xnys.previousSession('2024-01-01')).toBe('2023-12-29');
    expect(xnys.nextSession('2024-11-27')).toBe('2024-11-29');
  });

  it('gives open and close as UTC epoch milliseconds', () => {
    expect(xnys.sessionOpen('2024-01-02')).toBe(Date.parse('2024-01-02T14:30:00Z'));
    expect(xnys.sessionClose('2024-01-02')).toBe(Date.parse('2024-01-02T21:00:00Z'));
    expect(xnys.sessionBreak('2024-01-02')).toBeUndefined();
    expect(xnys.minutes('2024-01-02')).toBe(390);
  });

  it('shortens early-close sessions', () => {
    expect(xnys.sessionClose('2024-11-29')).toBe(Date.parse('2024-11-29T18:00:00Z'));
    expect(xnys.minutes('2024-11-29')).toBe(210);
    expect(xnys.minutes('1992-12-24')).toBe(270);
  });

  it('answers sessions() over 30 years in well under 10 ms once warm', () => {
    xnys.sessions('1990-01-01', '2019-12-31');
    const timings: number[] = [];
    for (let run = 0; run < 20; run += 1) {
      const start = performance.now();
      expect(xnys.sessions('1990-01-01', '2019-12-31')).toHaveLength(7_559);
      timings.push(performance.now() - start);
    }
    timings.sort((a, b) => a - b);
    expect(timings[10]).toBeLessThan(10);
  });
});

describe('errors', () => {
  it('rejects malformed and impossible dates, naming the value and the format', () => {
    for (const bad of ['2024-02-30', '2024-2-3', '02/01/2024', '', '2024-01-01T00:00:00Z']) {
      const error = thrown(() => xnys.isSession(bad));
      expect(error, bad).toBeInstanceOf(MarketInvalidDateError);
      expect((error as MarketInvalidDateError).code).toBe('MARKET_INVALID_DATE');
      expect((error as Error).message).toContain(`"${bad}"`);
      expect((error as Error).message).toContain("'YYYY-MM-DD'");
    }
    const notAString = thrown(() => xnys.sessionOpen(new Date() as unknown as string));
    expect(notAString).toBeInstanceOf(MarketInvalidDateError);
    expect((notAString as Error).message).toContain('(object)');
  });

  it('rejects dates outside the supported range', () => {
    const error = thrown(() => xnys.isSession('1989-12-29'));
    expect(error).toBeInstanceOf(MarketDateOutOfRangeError);
    expect((error as Error).message).toBe(
      "Date 1989-12-29 is outside the XNYS calendar's supported range 1990-01-01..2099-12-31; pass a date within that range.",
    );
    expect(thrown(() => xnys.sessions('1985-01-01', '1990-12-31'))).toBeInstanceOf(
      MarketDateOutOfRangeError,
    );
    expect(thrown(() => xnys.nextSession('2099-12-31'))).toMatchObject({
      code: 'MARKET_DATE_OUT_OF_RANGE',
      message: expect.stringContaining('No XNYS session after 2099-12-31') as unknown,
    });
    expect(thrown(() => xnys.previousSession('1990-01-02'))).toBeInstanceOf(
      MarketDateOutOfRangeError,
    );
    expect(xnys.previousSession('1990-01-03')).toBe('1990-01-02');
  });

  it('refuses per-session questions about non-sessions and points at the neighbours', () => {
    const questions = [
      (date: string) => xnys.sessionOpen(date),
      (date: string) => xnys.sessionClose(date),
      (date: string) => xnys.sessionBreak(date),
      (date: string) => xnys.minutes(date),
    ];
    for (const ask of questions) {
      const error = thrown(() => ask('2024-07-04'));
      expect(error).toBeInstanceOf(MarketNotASessionError);
      expect(error).toMatchObject({
        code: 'MARKET_NOT_A_SESSION',
        details: { previous: '2024-07-03', next: '2024-07-05' },
      });
    }
    expect((thrown(() => xnys.minutes('2024-07-04')) as Error).message).toBe(
      '2024-07-04 is not a session of XNYS (weekend, holiday or closure); the previous session is ' +
        '2024-07-03 and the next session is 2024-07-05. Check isSession(date) first, or use ' +
        'nextSession/previousSession.',
    );
  });

  it('rejects a reversed range', () => {
    const error = thrown(() => xnys.sessions('2024-02-01', '2024-01-01'));
    expect(error).toBeInstanceOf(MarketInvalidDateRangeError);
    expect((error as Error).message).toBe(
      'Invalid date range: from 2024-02-01 is after to 2024-01-01; pass from <= to.',
    );
  });
});
