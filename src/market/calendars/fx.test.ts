import { describe, expect, it } from 'vitest';
import { getCalendar } from '../index.js';

describe('FX', () => {
  const fx = getCalendar('FX');

  it('has Monday-Friday sessions and no weekend ones', () => {
    expect(fx.timezone).toBe('America/New_York');
    expect(fx.sessions('2024-06-08', '2024-06-16')).toEqual([
      '2024-06-10',
      '2024-06-11',
      '2024-06-12',
      '2024-06-13',
      '2024-06-14',
    ]);
    expect(fx.isSession('2024-12-25')).toBe(true);
    expect(fx.nextSession('2024-06-14')).toBe('2024-06-17');
  });

  it('opens Sunday 17:00 New York for Monday and closes Friday 17:00 New York', () => {
    expect(fx.sessionOpen('2024-06-10')).toBe(Date.parse('2024-06-09T21:00:00Z'));
    expect(fx.sessionClose('2024-06-14')).toBe(Date.parse('2024-06-14T21:00:00Z'));
    expect(fx.sessionOpen('2024-01-08')).toBe(Date.parse('2024-01-07T22:00:00Z'));
    expect(fx.sessionClose('2024-01-12')).toBe(Date.parse('2024-01-12T22:00:00Z'));
    // Each session starts where the previous one ended.
    expect(fx.sessionOpen('2024-06-12')).toBe(fx.sessionClose('2024-06-11'));
  });

  it('keeps 24-hour sessions across DST changes, which fall inside the weekend', () => {
    // New York moved clocks forward on Sunday 2024-03-10 and back on Sunday 2024-11-03.
    expect(fx.sessionClose('2024-03-08')).toBe(Date.parse('2024-03-08T22:00:00Z'));
    expect(fx.sessionOpen('2024-03-11')).toBe(Date.parse('2024-03-10T21:00:00Z'));
    expect(fx.sessionOpen('2024-11-04')).toBe(Date.parse('2024-11-03T22:00:00Z'));
    for (const date of ['2024-03-08', '2024-03-11', '2024-11-01', '2024-11-04']) {
      expect(fx.minutes(date), date).toBe(1440);
    }
  });
});
