import { describe, expect, it } from 'vitest';
import { schedule } from '../sdk/schedule.js';
import { missedTicks, nextTick, previousTick, ticksBetween } from './ticks.js';

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();
const at = (text: string): number => Date.parse(text);
const daysOf = (ticks: readonly number[], timeZone: string): string[] =>
  ticks.map((t) => new Date(t).toLocaleString('sv-SE', { timeZone }));

describe('nextTick', () => {
  it('reads 5- and 6-field crons in the schedule time zone', () => {
    const five = schedule({ cron: '30 18 * * 1-5', timezone: 'America/New_York', select: 'bars' });
    expect(iso(nextTick(five, at('2024-01-05T12:00:00Z')))).toBe('2024-01-05T23:30:00.000Z');
    expect(iso(nextTick(five, at('2024-01-05T23:30:00Z')))).toBe('2024-01-08T23:30:00.000Z'); // strictly after
    const six = schedule({ cron: '15 30 9 * * *', timezone: 'Asia/Seoul', select: 'bars' });
    expect(iso(nextTick(six, at('2024-01-05T00:00:00Z')))).toBe('2024-01-05T00:30:15.000Z');
  });

  it("fires '30 2 * * *' once on the spring-forward day (02:30 does not exist)", () => {
    const s = schedule({ cron: '30 2 * * *', timezone: 'America/New_York', select: 'bars' });
    const ticks = ticksBetween(s, at('2024-03-09T00:00:00Z'), at('2024-03-12T00:00:00Z'));
    expect(ticks.map(iso)).toEqual([
      '2024-03-09T07:30:00.000Z', // 02:30 EST
      '2024-03-10T07:00:00.000Z', // 03:00 EDT, the first valid time after the gap
      '2024-03-11T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('fires once on the fall-back day, also for the repeated hour', () => {
    const late = schedule({ cron: '30 2 * * *', timezone: 'America/New_York', select: 'bars' });
    expect(
      ticksBetween(late, at('2024-11-02T12:00:00Z'), at('2024-11-04T12:00:00Z')).map(iso),
    ).toEqual([
      '2024-11-03T07:30:00.000Z', // 02:30 EST
      '2024-11-04T07:30:00.000Z',
    ]);
    const repeated = schedule({ cron: '30 1 * * *', timezone: 'America/New_York', select: 'bars' });
    const ticks = ticksBetween(repeated, at('2024-11-02T12:00:00Z'), at('2024-11-04T12:00:00Z'));
    expect(ticks.map(iso)).toEqual([
      '2024-11-03T05:30:00.000Z', // the first 01:30 (EDT) only
      '2024-11-04T06:30:00.000Z',
    ]);
  });

  it('with a calendar fires only on sessions, judged in the calendar time zone', () => {
    const s = schedule({ cron: '0 18 * * *', calendar: 'XNYS', select: 'bars' });
    expect(s.timezone).toBe('America/New_York');
    // Fri 2023-12-29, then Jan 1 (holiday) and the weekend are skipped.
    const ticks = ticksBetween(s, at('2023-12-29T00:00:00Z'), at('2024-01-04T00:00:00Z'));
    expect(daysOf(ticks, 'America/New_York')).toEqual([
      '2023-12-29 18:00:00',
      '2024-01-02 18:00:00',
      '2024-01-03 18:00:00',
    ]);
    // A cron in UTC with the Korean calendar: 23:00 UTC is the next morning in Seoul.
    const krx = schedule({ cron: '0 23 * * *', timezone: 'UTC', calendar: 'XKRX', select: 'bars' });
    const krxTicks = ticksBetween(krx, at('2024-02-08T00:00:00Z'), at('2024-02-14T00:00:00Z'));
    // Seoul dates Feb 9-12 are Seollal holidays and a weekend; sessions resume Feb 13.
    expect(krxTicks.map(iso)).toEqual(['2024-02-12T23:00:00.000Z', '2024-02-13T23:00:00.000Z']);
  });

  it('finds the previous tick at or before an instant, skipping non-sessions', () => {
    const s = schedule({ cron: '30 18 * * *', calendar: 'XNYS', select: 'bars' });
    expect(iso(previousTick(s, at('2024-01-08T23:30:00Z')))).toBe('2024-01-08T23:30:00.000Z');
    expect(iso(previousTick(s, at('2024-01-08T23:29:59Z')))).toBe('2024-01-05T23:30:00.000Z');
  });

  it('gives up on a cron that never meets a session', () => {
    const sundays = schedule({ cron: '0 12 * * 0', calendar: 'XNYS', select: 'bars' });
    expect(nextTick(sundays, at('2024-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('missedTicks', () => {
  const base = { cron: '0 18 * * *', calendar: 'XNYS', select: 'bars' } as const;
  const lastTick = at('2024-01-02T23:00:00Z'); // Tue 18:00 New York
  const now = at('2024-01-08T23:00:30Z'); // Mon 18:00:30: Jan 3, 4, 5, 8 elapsed

  it("catchUp 'once' (default) runs only the latest missed tick", () => {
    const decision = missedTicks(schedule(base), lastTick, now);
    expect(decision.fire.map(iso)).toEqual(['2024-01-08T23:00:00.000Z']);
    expect(decision.skipped).toBe(3);
    expect(iso(decision.cursor)).toBe('2024-01-08T23:00:00.000Z');
  });

  it("catchUp 'all' runs each missed tick, in pages", () => {
    const s = schedule({ ...base, catchUp: 'all' });
    const all = missedTicks(s, lastTick, now);
    expect(all.fire.map(iso)).toEqual([
      '2024-01-03T23:00:00.000Z',
      '2024-01-04T23:00:00.000Z',
      '2024-01-05T23:00:00.000Z',
      '2024-01-08T23:00:00.000Z',
    ]);
    expect(all.more).toBe(false);
    const first = missedTicks(s, lastTick, now, { maxTicks: 3 });
    expect(first.fire).toHaveLength(3);
    expect(first.more).toBe(true);
    const rest = missedTicks(s, first.cursor, now, { maxTicks: 3 });
    expect(rest.fire.map(iso)).toEqual(['2024-01-08T23:00:00.000Z']);
    expect(rest.more).toBe(false);
  });

  it("catchUp 'none' runs a tick only when it is on time", () => {
    const s = schedule({ ...base, catchUp: 'none' });
    const onTime = missedTicks(s, at('2024-01-05T23:00:00Z'), now);
    expect(onTime.fire.map(iso)).toEqual(['2024-01-08T23:00:00.000Z']);
    const late = missedTicks(s, lastTick, at('2024-01-08T23:05:00Z'));
    expect(late.fire).toEqual([]);
    expect(late.skipped).toBe(4);
    expect(iso(late.cursor)).toBe('2024-01-08T23:00:00.000Z');
  });

  it('has nothing due without history or when no tick elapsed', () => {
    expect(missedTicks(schedule(base), undefined, now)).toEqual({
      fire: [],
      skipped: 0,
      cursor: now,
      more: false,
    });
    const quiet = missedTicks(
      schedule(base),
      at('2024-01-08T23:00:00Z'),
      at('2024-01-08T23:10:00Z'),
    );
    expect(quiet.fire).toEqual([]);
    expect(iso(quiet.cursor)).toBe('2024-01-08T23:00:00.000Z');
  });
});
