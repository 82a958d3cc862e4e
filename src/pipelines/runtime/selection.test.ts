import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/index.js';
import { daily } from '../partitions/daily.js';
import { asset } from '../sdk/asset.js';
import { planSelection, refuseUnusedPartition } from './selection.js';

/* A partition key or range that no selected asset takes is refused instead of ignored. */

const days = daily({ start: '2024-01-01', end: '2024-01-31' });
const assets = [
  asset({ name: 'days', partitions: days, run: () => undefined }),
  asset({ name: 'summary', deps: ['days'], run: () => undefined }),
  asset({ name: 'prices', run: () => undefined }),
  asset({ name: 'report', deps: ['prices'], run: () => undefined }),
];

function refusal(request: Parameters<typeof refuseUnusedPartition>[1]): UsageError {
  try {
    refuseUnusedPartition(assets, request);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected the request to be refused');
}

describe('refuseUnusedPartition', () => {
  it('refuses --partition and --from/--to on an unpartitioned asset, naming it', () => {
    const key = refusal({ assets: ['prices'], partition: '2024-01-05' });
    expect(key.message).toBe(
      'Asset "prices" is not partitioned, so a partition key does not apply: drop --partition.',
    );
    expect(key.details).toEqual({ assets: ['prices'] });
    expect(refusal({ assets: ['prices'], from: '2024-01-01', to: '2024-01-05' }).message).toBe(
      'Asset "prices" is not partitioned, so a partition range does not apply: drop --from/--to.',
    );
    expect(refusal({ assets: ['prices'], from: '2024-01-01' }).message).toContain('--from/--to');
  });

  it('names every selected asset when none is partitioned, downstream ones included', () => {
    expect(refusal({ assets: ['prices'], downstream: true, partition: '2024-01-05' }).message).toBe(
      'None of the selected assets (prices, report) is partitioned, so a partition key does not apply: drop --partition.',
    );
  });

  it('lets a key through when some selected asset is partitioned, or when none is given', () => {
    expect(() =>
      refuseUnusedPartition(assets, {
        assets: ['days'],
        downstream: true,
        partition: '2024-01-05',
      }),
    ).not.toThrow();
    expect(() =>
      refuseUnusedPartition(assets, { assets: ['prices', 'days'], partition: '2024-01-05' }),
    ).not.toThrow();
    expect(() => refuseUnusedPartition(assets, { assets: ['prices'] })).not.toThrow();
    const plan = planSelection(assets, {
      assets: ['days'],
      downstream: true,
      partition: '2024-01-05',
    });
    expect(plan.tasks.map((t) => [t.asset, t.partition])).toEqual([
      ['days', '2024-01-05'],
      ['summary', null],
    ]);
  });
});
