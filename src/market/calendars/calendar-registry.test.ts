import { describe, expect, it } from 'vitest';
import { getCalendar, listCalendars, MarketUnknownCalendarError } from '../index.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('calendar registry', () => {
  it('lists every calendar and hands out shared instances, case-insensitively', () => {
    expect(listCalendars()).toEqual(['XNYS', 'XNAS', 'XKRX', 'CRYPTO', 'FX']);
    for (const name of listCalendars()) expect(getCalendar(name).name).toBe(name);
    expect(getCalendar('xnys')).toBe(getCalendar('XNYS'));
    expect(getCalendar(' fx ')).toBe(getCalendar('FX'));
  });

  it('rejects unknown calendar names with the accepted ones', () => {
    const error = thrown(() => getCalendar('NYSE'));
    expect(error).toBeInstanceOf(MarketUnknownCalendarError);
    expect(error).toMatchObject({ code: 'MARKET_UNKNOWN_CALENDAR', details: { name: 'NYSE' } });
    expect((error as Error).message).toBe(
      'Unknown exchange calendar "NYSE". Accepted names (case-insensitive): XNYS, XNAS, XKRX, CRYPTO, FX.',
    );
  });
});
