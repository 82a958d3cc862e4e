import { describe, expect, it } from 'vitest';
import { SHORT_ATTEMPT_SECONDS, SHORT_PREFETCH_PER_SLOT, ShortAttempts } from './short-attempts.js';

describe('ShortAttempts', () => {
  it('knows nothing before the first attempt ends', () => {
    expect(new ShortAttempts().now()).toBe(false);
  });

  it('turns short after a run of fast attempts and back after slow ones', () => {
    const short = new ShortAttempts();
    for (let i = 0; i < 5; i++) short.record(0.002);
    expect(short.now()).toBe(true);
    short.record(0.3); // one slow attempt moves the average to ~0.06 s
    expect(short.now()).toBe(false);
    for (let i = 0; i < 3; i++) short.record(0.001);
    expect(short.now()).toBe(true);
    for (let i = 0; i < 10; i++) short.record(5);
    expect(short.now()).toBe(false);
  });

  it('ignores figures that are not durations', () => {
    const short = new ShortAttempts();
    short.record(Number.NaN);
    short.record(-1);
    expect(short.now()).toBe(false);
    short.record(SHORT_ATTEMPT_SECONDS / 2);
    expect(short.now()).toBe(true);
  });

  it('holds one attempt per slot while attempts are long, whatever the store takes', () => {
    const short = new ShortAttempts();
    expect(short.prefetchPerSlot()).toBe(1);
    short.record(2);
    short.recordStore(0.5);
    expect(short.prefetchPerSlot()).toBe(1);
  });

  it('holds enough short attempts per slot to cover a report transaction, within bounds', () => {
    const short = new ShortAttempts();
    for (let i = 0; i < 5; i++) short.record(0.005);
    // No transaction measured yet, or a fast one: the least.
    expect(short.prefetchPerSlot()).toBe(SHORT_PREFETCH_PER_SLOT.min);
    short.recordStore(0.004);
    expect(short.prefetchPerSlot()).toBe(SHORT_PREFETCH_PER_SLOT.min);
    // Transactions of 60 ms (waiting on other workers' ones) cover 12 attempts of 5 ms.
    for (let i = 0; i < 40; i++) short.recordStore(0.06);
    expect(short.prefetchPerSlot()).toBe(12);
    for (let i = 0; i < 40; i++) short.recordStore(5);
    expect(short.prefetchPerSlot()).toBe(SHORT_PREFETCH_PER_SLOT.max);
    short.recordStore(Number.NaN);
    short.recordStore(-1);
    expect(short.prefetchPerSlot()).toBe(SHORT_PREFETCH_PER_SLOT.max);
  });
});
