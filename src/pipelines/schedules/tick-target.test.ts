import { describe, expect, it } from 'vitest';
import { multiPartitions, sessions, staticPartitions } from '../partitions/index.js';
import { asset } from '../sdk/asset.js';
import { schedule } from '../sdk/schedule.js';
import { nextTick } from './ticks.js';
import { tickTarget } from './tick-target.js';

describe('tickTarget', () => {
  const bars = asset({
    name: 'bars',
    partitions: sessions('XNYS', { start: '2024-01-01' }),
    run: () => undefined,
  });
  const tick = Date.parse('2024-01-08T23:30:00Z'); // Mon 18:30 New York

  it('targets the session of the tick date by default', () => {
    const s = schedule({ cron: '30 18 * * 1-5', calendar: 'XNYS', select: bars });
    expect(tickTarget(s, tick, bars)).toEqual({
      kind: 'partitions',
      range: { from: '2024-01-08', to: '2024-01-08' },
    });
  });

  it("targets the previous session with partitions: 'previous'", () => {
    const s = schedule({
      cron: '0 6 * * 1-5',
      calendar: 'XNYS',
      select: bars,
      partitions: 'previous',
    });
    const monday6am = nextTick(s, Date.parse('2024-01-06T00:00:00Z')) as number;
    expect(new Date(monday6am).toISOString()).toBe('2024-01-08T11:00:00.000Z');
    expect(tickTarget(s, monday6am, bars)).toEqual({
      kind: 'partitions',
      range: { from: '2024-01-05', to: '2024-01-05' },
    });
  });

  it('skips a tick on a non-session and runs unpartitioned assets whole', () => {
    const s = schedule({ cron: '0 12 * * *', timezone: 'America/New_York', select: bars });
    expect(tickTarget(s, Date.parse('2024-01-06T17:00:00Z'), bars)).toEqual({ kind: 'none' });
    const summary = asset({ name: 'summary', sql: 'SELECT 1' });
    expect(tickTarget(s, tick, summary)).toEqual({ kind: 'unpartitioned' });
  });

  it('crosses the session with every symbol for multi partitions', () => {
    const grid = asset({
      name: 'grid',
      partitions: multiPartitions({
        date: sessions('XNYS', { start: '2024-01-01' }),
        symbol: staticPartitions(['AAPL', 'MSFT']),
      }),
      run: () => undefined,
    });
    const s = schedule({ cron: '30 18 * * 1-5', calendar: 'XNYS', select: grid });
    const target = tickTarget(s, tick, grid);
    expect(target).toEqual({
      kind: 'partitions',
      range: { from: '2024-01-08|AAPL', to: '2024-01-08|MSFT' },
    });
    if (target.kind === 'partitions') {
      expect(grid.partitions?.keysBetween(target.range.from, target.range.to, tick)).toEqual([
        '2024-01-08|AAPL',
        '2024-01-08|MSFT',
      ]);
    }
  });
});
