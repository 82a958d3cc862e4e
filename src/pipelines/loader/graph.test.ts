import { describe, expect, it } from 'vitest';
import { asset, type AssetDefinition } from '../sdk/asset.js';
import { closestName, editDistance } from './closest-name.js';
import { downstreamOf, findCycles, topologicalOrder, upstreamOf } from './graph.js';

const a = (name: string, deps: string[] = []) => asset({ name, deps, run: () => undefined });

describe('asset graph', () => {
  const assets = [
    a('report', ['signals', 'prices']),
    a('signals', ['prices']),
    a('prices', ['raw']),
    a('raw'),
    a('other'),
  ];

  it('orders assets after their dependencies, keeping input order otherwise', () => {
    expect(topologicalOrder(assets).map((x) => x.name)).toEqual([
      'raw',
      'prices',
      'signals',
      'report',
      'other',
    ]);
  });

  it('finds downstream and upstream assets', () => {
    expect(downstreamOf(assets, 'prices').map((x) => x.name)).toEqual(['signals', 'report']);
    expect(downstreamOf(assets, 'report')).toEqual([]);
    expect(upstreamOf(assets, 'report').map((x) => x.name)).toEqual(['raw', 'prices', 'signals']);
    expect(() => downstreamOf(assets, 'prics')).toThrow(
      /No asset is named "prics"\. Did you mean "prices"\?/,
    );
  });

  it('reports cycles with their path', () => {
    const cyclic = [
      a('x', ['y']),
      a('y', ['z']),
      a('z', ['x']),
      a('self', ['self']),
      a('ok', ['x']),
    ];
    expect(findCycles(cyclic)).toEqual([
      ['x', 'y', 'z', 'x'],
      ['self', 'self'],
    ]);
    let code: string | undefined;
    try {
      topologicalOrder(cyclic);
    } catch (error) {
      code = (error as { code?: string }).code;
      expect((error as Error).message).toContain('x -> y -> z -> x');
    }
    expect(code).toBe('PIPELINES_CYCLE');
  });

  it('handles a chain of 20,000 assets without deep recursion', () => {
    // Only name and deps matter to the graph; plain objects keep the test about the walk.
    const chain = Array.from(
      { length: 20_000 },
      (_, i) =>
        ({ name: `n${i}`, deps: i === 0 ? [] : [`n${i - 1}`] }) as unknown as AssetDefinition,
    );
    const order = topologicalOrder([...chain].reverse());
    expect(order[0]?.name).toBe('n0');
    expect(order[19_999]?.name).toBe('n19999');
    expect(findCycles(chain)).toEqual([]);
  });

  it('suggests close names only', () => {
    expect(editDistance('daily_bars', 'daly_bars')).toBe(1);
    expect(closestName('daly_bars', ['daily_bars', 'prices'])).toBe('daily_bars');
    expect(closestName('zzz', ['daily_bars', 'prices'])).toBeUndefined();
  });
});
