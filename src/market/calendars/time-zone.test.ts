import { describe, expect, it } from 'vitest';
import { dayOf } from './civil-date.js';
import { utcOffsetMinutes, zonedTimeToEpochMs } from './time-zone.js';

describe('time zones', () => {
  it('reads UTC offsets, DST and historical rules included', () => {
    expect(utcOffsetMinutes('America/New_York', Date.UTC(2024, 0, 15))).toBe(-300);
    expect(utcOffsetMinutes('America/New_York', Date.UTC(2024, 6, 15))).toBe(-240);
    expect(utcOffsetMinutes('Asia/Seoul', Date.UTC(2024, 6, 15))).toBe(540);
    // Korea observed DST in 1987 and 1988.
    expect(utcOffsetMinutes('Asia/Seoul', Date.UTC(1987, 6, 1))).toBe(600);
    expect(utcOffsetMinutes('Asia/Kolkata', Date.UTC(2024, 0, 1))).toBe(330);
    expect(utcOffsetMinutes('UTC', Date.UTC(2024, 0, 1))).toBe(0);
    expect(utcOffsetMinutes('Europe/London', Date.UTC(2024, 0, 1))).toBe(0);
  });

  it('turns local wall time into UTC instants on either side of a DST change', () => {
    // America/New_York springs forward on 2024-03-10 and falls back on 2024-11-03.
    expect(zonedTimeToEpochMs('America/New_York', dayOf(2024, 3, 8), 570)).toBe(
      Date.parse('2024-03-08T14:30:00Z'),
    );
    expect(zonedTimeToEpochMs('America/New_York', dayOf(2024, 3, 11), 570)).toBe(
      Date.parse('2024-03-11T13:30:00Z'),
    );
    expect(zonedTimeToEpochMs('America/New_York', dayOf(2024, 11, 1), 570)).toBe(
      Date.parse('2024-11-01T13:30:00Z'),
    );
    expect(zonedTimeToEpochMs('America/New_York', dayOf(2024, 11, 4), 570)).toBe(
      Date.parse('2024-11-04T14:30:00Z'),
    );
  });

  it('accepts minutes outside the day (a session opening the evening before)', () => {
    expect(zonedTimeToEpochMs('America/New_York', dayOf(2024, 3, 11), 17 * 60 - 1440)).toBe(
      Date.parse('2024-03-10T21:00:00Z'),
    );
    expect(zonedTimeToEpochMs('UTC', dayOf(2024, 1, 1), 1440)).toBe(
      Date.parse('2024-01-02T00:00:00Z'),
    );
  });
});
