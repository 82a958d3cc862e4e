import { describe, expect, it } from 'vitest';
import { getCalendar } from '../index.js';

describe('CRYPTO', () => {
  const crypto = getCalendar('CRYPTO');

  it('trades every UTC day, weekends and holidays included', () => {
    expect(crypto.timezone).toBe('UTC');
    expect(crypto.sessions('2024-12-23', '2024-12-29')).toHaveLength(7);
    expect(crypto.isSession('2024-12-25')).toBe(true);
    expect(crypto.sessions('2024-01-01', '2024-12-31')).toHaveLength(366);
    expect(crypto.nextSession('2024-12-31')).toBe('2025-01-01');
    expect(crypto.previousSession('2024-03-01')).toBe('2024-02-29');
  });

  it('runs from 00:00 to 24:00 UTC without a break', () => {
    expect(crypto.sessionOpen('2024-06-15')).toBe(Date.parse('2024-06-15T00:00:00Z'));
    expect(crypto.sessionClose('2024-06-15')).toBe(Date.parse('2024-06-16T00:00:00Z'));
    expect(crypto.sessionBreak('2024-06-15')).toBeUndefined();
    expect(crypto.minutes('2024-06-15')).toBe(1440);
  });
});
