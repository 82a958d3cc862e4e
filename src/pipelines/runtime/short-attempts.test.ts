import { describe, expect, it } from 'vitest';
import { SHORT_ATTEMPT_SECONDS, ShortAttempts } from './short-attempts.js';

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
});
