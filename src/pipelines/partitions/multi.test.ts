import { describe, expect, it } from 'vitest';
import { daily } from './daily.js';
import { multiPartitions } from './multi.js';
import { sessions } from './sessions.js';
import { staticPartitions } from './static.js';

const NOW = Date.parse('2024-01-05T12:00:00Z');

describe('multiPartitions()', () => {
  const space = multiPartitions({
    date: daily({ start: '2024-01-01' }),
    symbol: staticPartitions(['AAPL', 'MSFT', 'NVDA']),
  });

  it('orders keys date-major with stable indexes', () => {
    expect(space.count(NOW)).toBe(15);
    expect(space.keys({ limit: 4, now: NOW })).toEqual([
      '2024-01-01|AAPL',
      '2024-01-01|MSFT',
      '2024-01-01|NVDA',
      '2024-01-02|AAPL',
    ]);
    expect(space.indexOf('2024-01-02|MSFT', NOW)).toBe(4);
    expect(space.keyAt(4, NOW)).toBe('2024-01-02|MSFT');
    expect(space.indexOf('2024-01-02|GOOG', NOW)).toBe(-1);
    expect(space.indexOf('2024-01-06|AAPL', NOW)).toBe(-1);
    expect(space.indexOf('2024-01-02', NOW)).toBe(-1);
    // A later `now` appends keys and leaves existing indexes alone.
    expect(space.indexOf('2024-01-02|MSFT', Date.parse('2025-01-01T00:00:00Z'))).toBe(4);
    expect(space.partsOf('2024-01-02|MSFT')).toEqual({ date: '2024-01-02', symbol: 'MSFT' });
  });

  it('takes full or date-only bounds in keysBetween', () => {
    expect(space.keysBetween('2024-01-02|NVDA', '2024-01-03|MSFT', NOW)).toEqual([
      '2024-01-02|NVDA',
      '2024-01-03|AAPL',
      '2024-01-03|MSFT',
    ]);
    expect(space.keysBetween('2024-01-04', '2024-01-09', NOW)).toEqual([
      '2024-01-04|AAPL',
      '2024-01-04|MSFT',
      '2024-01-04|NVDA',
      '2024-01-05|AAPL',
      '2024-01-05|MSFT',
      '2024-01-05|NVDA',
    ]);
    expect(() => space.keysBetween('2024-01-02|NVDA', '2024-01-02|AAPL', NOW)).toThrow(
      /from comes after to/,
    );
    expect(() => space.keysBetween('2024-01-02|GOOG', '2024-01-03', NOW)).toThrow(
      /"GOOG" is not a key of dimension "symbol"/,
    );
  });

  it('crosses the tick session with every symbol', () => {
    const bySession = multiPartitions({
      session: sessions('XNYS', { start: '2024-01-01' }),
      symbol: staticPartitions(['A', 'B']),
    });
    expect(bySession.targetForTick(Date.parse('2024-01-08T23:30:00Z'), 'previous')).toEqual({
      from: '2024-01-05|A',
      to: '2024-01-05|B',
    });
  });

  it('scales to 1,000,000 keys', () => {
    const big = multiPartitions({
      date: daily({ start: '2000-01-01', end: '2009-12-31' }),
      symbol: staticPartitions(Array.from({ length: 274 }, (_, i) => `SYM${i}`)),
    });
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(big.count(now)).toBe(3653 * 274);
    const page = big.keys({ offset: 999_000, limit: 2, now });
    expect(page).toEqual([big.keyAt(999_000, now), big.keyAt(999_001, now)]);
    expect(big.indexOf(page[1] as string, now)).toBe(999_001);
  });

  it('requires two dimensions with a static second one', () => {
    expect(() => multiPartitions({ date: daily({ start: '2024-01-01' }) })).toThrow(
      /got 1 dimension/,
    );
    expect(() =>
      multiPartitions({ symbol: staticPartitions(['A']), date: daily({ start: '2024-01-01' }) }),
    ).toThrow(/second dimension "date" is daily, not static/);
    expect(() => multiPartitions({ a: staticPartitions(['A']), b: 'x' as never })).toThrow(
      /not a partitions definition/,
    );
  });
});
