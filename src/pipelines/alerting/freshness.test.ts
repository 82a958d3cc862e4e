import { describe, expect, it } from 'vitest';
import {
  freshnessPolicyOf,
  latestClosedSession,
  staleBefore,
  type FreshnessPolicy,
} from './freshness.js';

const policy = (tags: Record<string, string>): FreshnessPolicy => {
  const p = freshnessPolicyOf(tags);
  if (typeof p !== 'object') throw new Error(`no policy: ${String(p)}`);
  return p;
};

// 2024-05-03 is a Friday; XNYS closes at 16:00 New York time (20:00 UTC in May).
const FRIDAY_EVENING = Date.UTC(2024, 4, 3, 22, 0);
const SUNDAY = Date.UTC(2024, 4, 5, 12, 0);
const MONDAY_EVENING = Date.UTC(2024, 4, 6, 22, 0);
const TUESDAY_EVENING = Date.UTC(2024, 4, 7, 22, 0);

function stale(p: FreshnessPolicy, lastSuccessMs: number, nowMs: number): boolean {
  return lastSuccessMs < staleBefore(p, nowMs);
}

describe('calendar-aware freshness', () => {
  const xnys = policy({ freshness: '1 session', calendar: 'xnys' });

  it('parses session and duration policies', () => {
    expect(xnys).toEqual({ kind: 'sessions', sessions: 1, calendar: 'XNYS' });
    expect(policy({ freshness: '2 sessions', calendar: 'XKRX' })).toMatchObject({ sessions: 2 });
    expect(policy({ freshness: '26h' })).toEqual({ kind: 'duration', ms: 26 * 3_600_000 });
    expect(freshnessPolicyOf({})).toBeUndefined();
    expect(freshnessPolicyOf({ freshness: '1 session' })).toMatch(/needs a calendar tag/);
    expect(freshnessPolicyOf({ freshness: '1 session', calendar: 'MOON' })).toMatch(/MOON/);
    expect(freshnessPolicyOf({ freshness: 'daily' })).toMatch(/neither a session count/);
  });

  it('finds the latest closed session', () => {
    expect(latestClosedSession('XNYS', SUNDAY)).toBe('2024-05-03');
    expect(latestClosedSession('XNYS', Date.UTC(2024, 4, 6, 15, 0))).toBe('2024-05-03');
    expect(latestClosedSession('XNYS', MONDAY_EVENING)).toBe('2024-05-06');
  });

  it('a Friday materialization is not stale on Sunday, nor on Monday evening', () => {
    expect(stale(xnys, FRIDAY_EVENING, SUNDAY)).toBe(false);
    expect(stale(xnys, FRIDAY_EVENING, MONDAY_EVENING)).toBe(false);
  });

  it('is stale on Tuesday evening after missing Monday’s session', () => {
    expect(stale(xnys, FRIDAY_EVENING, TUESDAY_EVENING)).toBe(true);
    expect(staleBefore(xnys, TUESDAY_EVENING)).toBe(Date.UTC(2024, 4, 6, 20, 0));
    // Materialized after Monday's close: fresh on Tuesday evening.
    expect(stale(xnys, Date.UTC(2024, 4, 6, 21, 0), TUESDAY_EVENING)).toBe(false);
  });

  it('skips holidays: Good Friday 2024 (March 29) does not count', () => {
    const thursdayEvening = Date.UTC(2024, 2, 28, 21, 0);
    expect(stale(xnys, thursdayEvening, Date.UTC(2024, 2, 31, 12, 0))).toBe(false);
    expect(stale(xnys, thursdayEvening, Date.UTC(2024, 3, 1, 22, 0))).toBe(false);
    expect(stale(xnys, thursdayEvening, Date.UTC(2024, 3, 2, 22, 0))).toBe(true);
  });

  it('counts XKRX sessions in Seoul time', () => {
    const krx = policy({ freshness: '1 session', calendar: 'XKRX' });
    // XKRX closes 15:30 KST (06:30 UTC). Friday 2024-05-03 evening KST; Monday 05-06 is a holiday.
    const fridayEveningKst = Date.UTC(2024, 4, 3, 9, 0);
    expect(stale(krx, fridayEveningKst, Date.UTC(2024, 4, 7, 9, 0))).toBe(false);
    expect(stale(krx, fridayEveningKst, Date.UTC(2024, 4, 8, 9, 0))).toBe(true);
  });

  it('duration policies ignore calendars', () => {
    const p = policy({ freshness: '6h' });
    expect(stale(p, SUNDAY - 5 * 3_600_000, SUNDAY)).toBe(false);
    expect(stale(p, SUNDAY - 7 * 3_600_000, SUNDAY)).toBe(true);
  });
});
