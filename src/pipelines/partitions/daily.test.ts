import { describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.js';
import { daily } from './daily.js';
import { monthly } from './monthly.js';

const NOW = Date.parse('2024-03-15T12:00:00Z');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('daily()', () => {
  it('counts, pages and looks up dates up to today', () => {
    const days = daily({ start: '2024-01-01' });
    expect(days.count(NOW)).toBe(75); // Jan 31 + Feb 29 + Mar 15
    expect(days.keys({ offset: 0, limit: 3, now: NOW })).toEqual([
      '2024-01-01',
      '2024-01-02',
      '2024-01-03',
    ]);
    expect(days.keys({ offset: 73, limit: 10, now: NOW })).toEqual(['2024-03-14', '2024-03-15']);
    expect(days.keyAt(59, NOW)).toBe('2024-02-29');
    expect(days.indexOf('2024-02-29', NOW)).toBe(59);
    expect(days.indexOf('2024-03-16', NOW)).toBe(-1); // tomorrow does not exist yet
    expect(days.indexOf('2023-12-31', NOW)).toBe(-1);
    expect(days.indexOf('2024-02-30', NOW)).toBe(-1);
    expect(days.contains('2024-03-15', NOW)).toBe(true);
  });

  it('decides "today" in its time zone', () => {
    const seoul = daily({ start: '2024-03-01', timezone: 'Asia/Seoul' });
    const utc = daily({ start: '2024-03-01' });
    const lateUtc = Date.parse('2024-03-15T20:00:00Z'); // already Mar 16 in Seoul
    expect(seoul.count(lateUtc)).toBe(16);
    expect(utc.count(lateUtc)).toBe(15);
  });

  it('clamps keysBetween to the space and rejects reversed or malformed bounds', () => {
    const days = daily({ start: '2024-01-01', end: '2024-01-10' });
    expect(days.keysBetween('2023-12-30', '2024-01-03', NOW)).toEqual([
      '2024-01-01',
      '2024-01-02',
      '2024-01-03',
    ]);
    expect(days.keysBetween('2024-01-09', '2024-02-01', NOW)).toEqual(['2024-01-09', '2024-01-10']);
    expect(days.count(NOW)).toBe(10);
    expect(days.indexRange('2024-01-03', '2024-01-05', NOW)).toEqual({ start: 2, end: 5 });
    expect(codeOf(() => days.keysBetween('2024-01-05', '2024-01-03', NOW))).toBe(
      'PIPELINES_INVALID_PARTITION_KEY',
    );
    expect(codeOf(() => days.keysBetween('yesterday', '2024-01-03', NOW))).toBe(
      'PIPELINES_INVALID_PARTITION_KEY',
    );
  });

  it('targets the tick date or the day before', () => {
    const days = daily({ start: '2024-01-01', timezone: 'America/New_York' });
    const tick = Date.parse('2024-03-15T02:00:00Z'); // Mar 14, 22:00 in New York
    expect(days.targetForTick(tick, 'current')).toEqual({ from: '2024-03-14', to: '2024-03-14' });
    expect(days.targetForTick(tick, 'previous')).toEqual({ from: '2024-03-13', to: '2024-03-13' });
    expect(days.targetForTick(Date.parse('2023-06-01T12:00:00Z'), 'current')).toBeUndefined();
  });

  it('handles 1,000,000 partitions without listing them', () => {
    const days = daily({ start: '1000-01-01' });
    const now = Date.parse('9000-01-01T00:00:00Z');
    expect(days.count(now)).toBeGreaterThan(1_000_000);
    const page = days.keys({ offset: 999_990, limit: 10, now });
    expect(page).toHaveLength(10);
    expect(days.indexOf(page[0] as string, now)).toBe(999_990);
    expect(days.keyAt(999_999, now)).toBe(page[9]);
    // Consecutive keys are consecutive dates.
    expect(
      Date.parse(`${page[1] as string}T00:00:00Z`) - Date.parse(`${page[0] as string}T00:00:00Z`),
    ).toBe(86_400_000);
  });

  it('rejects bad options naming the field', () => {
    expect(() => daily({ start: '2024-13-01' })).toThrow(/start is "2024-13-01"/);
    expect(() => daily({ start: '2024-01-10', end: '2024-01-01' })).toThrow(/end/);
    expect(() => daily({ start: '2024-01-01', timezone: 'Mars/Olympus' })).toThrow(
      /not a known time zone/,
    );
    expect(() => daily({ start: '2024-01-01', tz: 'UTC' } as never)).toThrow(
      /option "tz" is not known/,
    );
    let thrown: unknown;
    try {
      daily({ start: 'x' });
    } catch (error) {
      thrown = error;
    }
    expect(hasCode(thrown, 'PIPELINES_DEFINITION_INVALID')).toBe(true);
  });
});

describe('monthly()', () => {
  it('keys months as YYYY-MM', () => {
    const months = monthly({ start: '2023-11' });
    expect(months.count(NOW)).toBe(5);
    expect(months.keys({ now: NOW })).toEqual([
      '2023-11',
      '2023-12',
      '2024-01',
      '2024-02',
      '2024-03',
    ]);
    expect(months.indexOf('2024-01', NOW)).toBe(2);
    expect(months.indexOf('2024-04', NOW)).toBe(-1);
    expect(months.keysBetween('2023-01', '2023-12', NOW)).toEqual(['2023-11', '2023-12']);
    expect(months.targetForTick(NOW, 'previous')).toEqual({ from: '2024-02', to: '2024-02' });
  });

  it('accepts a date as start and bounds with end', () => {
    const months = monthly({ start: '2020-01-15', end: '2020-06' });
    expect(months.start).toBe('2020-01');
    expect(months.count(NOW)).toBe(6);
    expect(() => monthly({ start: '2020-06', end: '2020-01' })).toThrow(/end/);
  });
});
