import { describe, expect, it } from 'vitest';
import { asset } from './asset.js';
import { schedule } from './schedule.js';

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('schedule()', () => {
  const bars = asset({ name: 'bars', run: () => undefined });

  it('normalizes selection, calendar and defaults', () => {
    const s = schedule({
      cron: '30 18 * * 1-5',
      calendar: 'xnys',
      select: [bars, 'krx_*', 'bars'],
    });
    expect(s.kind).toBe('schedule');
    expect(s.name).toBe('bars,krx_*@30 18 * * 1-5');
    expect(s.calendar).toBe('XNYS');
    expect(s.timezone).toBe('America/New_York');
    expect(s.select).toEqual(['bars', 'krx_*']);
    expect(s.catchUp).toBe('once');
    expect(s.partitions).toBe('current');
    const named = schedule({
      name: 'nightly',
      cron: '0 0 2 * * *',
      timezone: 'Asia/Seoul',
      select: 'bars',
      catchUp: 'all',
      partitions: 'previous',
    });
    // A derived name keeps cron characters a given name may not use.
    expect(schedule({ cron: '0 18 L * *', timezone: 'UTC', select: 'bars' }).name).toBe(
      'bars@0 18 L * *',
    );
    expect(named).toMatchObject({
      name: 'nightly',
      timezone: 'Asia/Seoul',
      catchUp: 'all',
      partitions: 'previous',
    });
  });

  it('rejects an invalid cron with PIPELINES_INVALID_CRON naming the schedule and the expression', () => {
    for (const cron of ['61 * * * *', '* * *', '* * * * * * *', 'every day']) {
      const error = thrown(() =>
        schedule({ name: 'nightly', cron, timezone: 'UTC', select: 'bars' }),
      );
      expect(error.code).toBe('PIPELINES_INVALID_CRON');
      expect(error.message).toContain(`Schedule "nightly": invalid cron expression "${cron}"`);
      expect(error.message).toMatch(/Use 5 fields/);
    }
    expect(
      thrown(() =>
        schedule({ name: 'n', cron: undefined as never, timezone: 'UTC', select: 'bars' }),
      ).code,
    ).toBe('PIPELINES_INVALID_CRON');
  });

  it('requires a time zone without a calendar, and valid options', () => {
    expect(() => schedule({ name: 'n', cron: '0 0 * * *', select: 'bars' })).toThrow(
      /schedule "n": timezone is undefined\. Give an IANA time zone/,
    );
    expect(() =>
      schedule({ name: 'n', cron: '0 0 * * *', timezone: 'New York', select: 'bars' }),
    ).toThrow(/not a known time zone/);
    expect(() => schedule({ name: 'n', cron: '0 0 * * *', timezone: 'UTC', select: [] })).toThrow(
      /select is empty/,
    );
    expect(() =>
      schedule({ name: 'n', cron: '0 0 * * *', calendar: 'NOPE', select: 'bars' }),
    ).toThrow(/calendar is not known/);
    expect(() =>
      schedule({
        name: 'n',
        cron: '0 0 * * *',
        timezone: 'UTC',
        select: 'bars',
        catchUp: 'always' as never,
      }),
    ).toThrow(/catchUp is "always"\. Use one of 'once', 'all', 'none'/);
  });
});
