import { describe, expect, it } from 'vitest';
import { DemoRandom } from './random.js';

describe('DemoRandom', () => {
  it('repeats its stream for the same seed and stream id, and differs otherwise', () => {
    const draw = (seed: number, stream: number): number[] => {
      const r = new DemoRandom(seed, stream);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    expect(draw(42, 0)).toEqual(draw(42, 0));
    expect(draw(42, 0)).not.toEqual(draw(43, 0));
    expect(draw(42, 0)).not.toEqual(draw(42, 1));
    // Seeds above 2^32 still matter (they are not truncated to 32 bits).
    expect(draw(2 ** 32 + 42, 0)).not.toEqual(draw(42, 0));
  });

  it('pins the first outputs, so a change to the generator (and to every demo file) is noticed', () => {
    const r = new DemoRandom(42, 0);
    expect(Array.from({ length: 4 }, () => r.nextUint32())).toEqual([
      2119455709, 2913103569, 4143172327, 3080916512,
    ]);
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new DemoRandom(7);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      sum += u;
      sq += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    const mean = sum / n;
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sq / n - mean * mean).toBeCloseTo(1 / 12, 3);
  });

  it('draws standard normals: mean 0, variance 1, no skew, normal tails', () => {
    const r = new DemoRandom(11);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    let cube = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      sum += z;
      sq += z * z;
      cube += z * z * z;
      if (Math.abs(z) > 2) beyond2++;
    }
    expect(sum / n).toBeCloseTo(0, 2);
    expect(sq / n).toBeCloseTo(1, 1);
    expect(Math.abs(cube / n)).toBeLessThan(0.05);
    // P(|Z| > 2) = 4.55%.
    expect(beyond2 / n).toBeGreaterThan(0.042);
    expect(beyond2 / n).toBeLessThan(0.049);
  });

  it('draws integers and ranges within their bounds', () => {
    const r = new DemoRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1_000; i++) {
      const k = r.int(5);
      seen.add(k);
      const x = r.between(10, 20);
      const y = r.logBetween(1, 1_000);
      expect(x).toBeGreaterThanOrEqual(10);
      expect(x).toBeLessThan(20);
      expect(y).toBeGreaterThanOrEqual(1);
      expect(y).toBeLessThan(1_000);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
