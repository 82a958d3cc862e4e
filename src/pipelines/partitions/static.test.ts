import { describe, expect, it } from 'vitest';
import { staticPartitions } from './static.js';

describe('staticPartitions()', () => {
  it('keeps the given order and finds keys by index', () => {
    const symbols = staticPartitions(['MSFT', 'AAPL', '005930']);
    expect(symbols.count()).toBe(3);
    expect(symbols.keys()).toEqual(['MSFT', 'AAPL', '005930']);
    expect(symbols.indexOf('AAPL')).toBe(1);
    expect(symbols.indexOf('GOOG')).toBe(-1);
    expect(symbols.keysBetween('AAPL', '005930')).toEqual(['AAPL', '005930']);
    expect(() => symbols.keysBetween('005930', 'MSFT')).toThrow(/from comes after to/);
    expect(() => symbols.keysBetween('GOOG', 'MSFT')).toThrow(/"GOOG" is not a key/);
    expect(symbols.targetForTick()).toEqual({ from: 'MSFT', to: '005930' });
  });

  it('rejects duplicate and unusable keys', () => {
    expect(() => staticPartitions(['A', 'B', 'A'])).toThrow(/"A" is listed twice/);
    expect(() => staticPartitions(['A', ''])).toThrow(/key #1 "" is empty/);
    expect(() => staticPartitions(['A|B'])).toThrow(/contains "\|"/);
    expect(() => staticPartitions(['BRK/B'])).toThrow(/contains "\/"/);
  });

  it('serves 1,000,000 keys by page', () => {
    const keys = Array.from({ length: 1_000_000 }, (_, i) => `S${String(i).padStart(7, '0')}`);
    const space = staticPartitions(keys);
    expect(space.count()).toBe(1_000_000);
    expect(space.keys({ offset: 999_950, limit: 100 })).toEqual(keys.slice(999_950));
    expect(space.keys({ offset: 500_000, limit: 3 })).toEqual(['S0500000', 'S0500001', 'S0500002']);
    expect(space.indexOf('S0765432')).toBe(765_432);
    expect(space.keyAt(1_000_000)).toBeUndefined();
    expect(space.indexRange('S0000010', 'S0999999')).toEqual({ start: 10, end: 1_000_000 });
    expect(() => space.keys({ offset: -1 })).toThrow(/offset -1/);
  });
});
