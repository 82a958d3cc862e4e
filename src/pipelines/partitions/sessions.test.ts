import { describe, expect, it } from 'vitest';
import { sessions } from './sessions.js';

const NOW = Date.parse('2024-01-10T12:00:00Z');

describe('sessions()', () => {
  it('keys the XNYS trading sessions, skipping weekends and holidays', () => {
    const xnys = sessions('XNYS', { start: '2023-12-28' });
    // Dec 28, 29, Jan 2 (Jan 1 is a holiday), 3, 4, 5, 8, 9, 10
    expect(xnys.keys({ now: NOW })).toEqual([
      '2023-12-28',
      '2023-12-29',
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
      '2024-01-08',
      '2024-01-09',
      '2024-01-10',
    ]);
    expect(xnys.count(NOW)).toBe(9);
    expect(xnys.indexOf('2024-01-02', NOW)).toBe(2);
    expect(xnys.indexOf('2024-01-01', NOW)).toBe(-1);
    expect(xnys.indexOf('2024-01-06', NOW)).toBe(-1);
    expect(xnys.indexOf('2024-01-11', NOW)).toBe(-1);
    expect(xnys.keysBetween('2023-12-30', '2024-01-04', NOW)).toEqual([
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
    ]);
  });

  it('decides the current session in the exchange time zone', () => {
    const xkrx = sessions('xkrx', { start: '2024-01-02' });
    // 2024-01-09T16:00Z is Jan 10 01:00 in Seoul, so Jan 10 exists there.
    expect(xkrx.count(Date.parse('2024-01-09T14:00:00Z'))).toBe(6);
    expect(xkrx.count(Date.parse('2024-01-09T16:00:00Z'))).toBe(7);
    expect(xkrx.calendar.name).toBe('XKRX');
  });

  it('pages a long span consistently with indexOf', () => {
    const xnys = sessions('XNYS', { start: '1990-01-01', end: '2020-12-31' });
    const count = xnys.count(NOW);
    expect(count).toBeGreaterThan(7_700);
    const page = xnys.keys({ offset: 5_000, limit: 5, now: NOW });
    expect(page).toHaveLength(5);
    page.forEach((key, i) => expect(xnys.indexOf(key, NOW)).toBe(5_000 + i));
    expect(xnys.keyAt(count - 1, NOW)).toBe('2020-12-31');
  });

  it('targets the session of the tick date, or the previous session', () => {
    const xnys = sessions('XNYS', { start: '2024-01-01' });
    const mondayEvening = Date.parse('2024-01-08T23:30:00Z'); // Mon 18:30 New York
    expect(xnys.targetForTick(mondayEvening, 'current')).toEqual({
      from: '2024-01-08',
      to: '2024-01-08',
    });
    expect(xnys.targetForTick(mondayEvening, 'previous')).toEqual({
      from: '2024-01-05',
      to: '2024-01-05',
    });
    const saturday = Date.parse('2024-01-06T15:00:00Z');
    expect(xnys.targetForTick(saturday, 'current')).toBeUndefined();
    expect(xnys.targetForTick(saturday, 'previous')).toEqual({
      from: '2024-01-05',
      to: '2024-01-05',
    });
  });

  it('names the calendar and field in errors', () => {
    expect(() => sessions('XXXX', { start: '2024-01-01' })).toThrow(/calendar is not known/);
    expect(() => sessions('XNYS', { start: '1900-01-01' })).toThrow(
      /start is "1900-01-01".*XNYS covers/,
    );
  });
});
