import { describe, expect, it } from 'vitest';
import { globToRegExp } from './glob.js';
import { inbox, isSensor, sensor } from './sensor.js';

describe('sensor()', () => {
  it('normalizes the poll interval and selection', () => {
    const s = sensor({
      name: 'new_listings',
      every: '5m',
      check: () => [{ partition: 'AAPL' }],
      select: 'listings',
    });
    expect(s).toMatchObject({
      kind: 'sensor',
      type: 'custom',
      name: 'new_listings',
      everyMs: 300_000,
      select: ['listings'],
    });
    expect(isSensor(s)).toBe(true);
    expect(sensor({ name: 'fast', every: 1_500, check: () => undefined }).everyMs).toBe(1_500);
    expect(() => sensor({ name: 's', every: 'often', check: () => undefined })).toThrow(
      /sensor "s": every is "often"/,
    );
    expect(() => sensor({ name: 's', every: '1m', check: 'x' as never })).toThrow(
      /sensor "s": check is "x"/,
    );
  });
});

describe('inbox()', () => {
  it('defines a file-drop sensor with defaults', () => {
    const drop = inbox('inbox/krx', { pattern: '*.csv', select: 'krx_bars' });
    expect(drop).toMatchObject({
      kind: 'sensor',
      type: 'inbox',
      name: 'inbox:inbox/krx',
      dir: 'inbox/krx',
      stableMs: 5_000,
      everyMs: 10_000,
      select: ['krx_bars'],
      archiveDir: 'inbox/krx/archive',
      failedDir: 'inbox/krx/failed',
    });
    expect(drop.matcher.test('bars_2024-01-02.csv')).toBe(true);
    expect(drop.matcher.test('bars.csv.tmp')).toBe(false);
    expect(inbox('in', { pattern: /\.parquet$/, select: 'x', stableMs: '2s' }).stableMs).toBe(
      2_000,
    );
    expect(() => inbox('in', { pattern: '*.csv' } as never)).toThrow(/select is missing/);
    expect(() => inbox('', { pattern: '*.csv', select: 'x' })).toThrow(/inbox\(\): dir is ""/);
  });

  it('compiles globs', () => {
    const cases: [string, string, boolean][] = [
      ['*.csv', 'a.csv', true],
      ['*.csv', 'sub/a.csv', false],
      ['**/*.csv', 'sub/deep/a.csv', true],
      ['bars_{krx,nyse}_*.parquet', 'bars_krx_1.parquet', true],
      ['bars_{krx,nyse}_*.parquet', 'bars_lse_1.parquet', false],
      ['file?.txt', 'file1.txt', true],
      ['[!.]*.csv', '.hidden.csv', false],
      ['a+b(1).csv', 'a+b(1).csv', true],
    ];
    for (const [glob, name, expected] of cases)
      expect(globToRegExp(glob).test(name), `${glob} ~ ${name}`).toBe(expected);
  });
});
