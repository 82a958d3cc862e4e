import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import { PipelinesRunArgumentInvalidError } from '../errors.js';
import { daily, multiPartitions, staticPartitions } from '../partitions/index.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');
const MILLION = 1_000_000;

/** 10,000 past days x 100 symbols: a two-dimensional space of exactly a million partitions. */
const space = multiPartitions({
  date: daily({ start: '1990-01-01', end: '2017-05-18' }),
  symbol: staticPartitions(Array.from({ length: 100 }, (_, i) => `S${String(i).padStart(3, '0')}`)),
});

/** Independent oracle of the space's key at `index`: outer-major, day then symbol. */
const keyOf = (index: number): string => {
  const day = new Date(Date.UTC(1990, 0, 1) + Math.floor(index / 100) * 86_400_000);
  return `${day.toISOString().slice(0, 10)}|S${String(index % 100).padStart(3, '0')}`;
};

describe.each(backends)('partition status on $name', (backend) => {
  describe.skipIf(backend.skip)('a million partitions of one asset', () => {
    let dir: string;
    let url: string;
    let meta: MetaStore;
    let store: RunStore;
    beforeEach(async () => {
      dir = makeTempDir();
      url = backend.url(dir);
      meta = await openMetaStore(url);
      store = new RunStore(meta, { clock: () => T0 });
    });
    afterEach(async () => {
      await meta.close();
      await backend.cleanup(url);
      removeDir(dir);
    });

    it('stores, counts and pages a million partitions by state with the right keys', async () => {
      expect(space.count()).toBe(MILLION);
      for (let start = 0; start < MILLION; start += 100_000) {
        await store.setPartitionRange(
          'bars_1m',
          { start, end: start + 100_000 },
          'succeeded',
          'r1',
        );
      }
      const failed = Array.from({ length: 10_000 }, (_, i) => ({
        index: i * 100 + 7,
        state: 'failed' as const,
        runId: 'r2',
      }));
      await store.setPartitionStatus('bars_1m', failed, T0 + 1);
      // 500,007 failed: stale applies to materialized partitions only.
      expect(await store.markPartitionStale('bars_1m', { start: 500_000, end: 500_010 })).toBe(9);
      expect(await store.markPartitionStale('bars_1m', [999_999, 7])).toBe(1);
      expect(await store.countPartitionStatus('bars_1m')).toEqual({
        succeeded: MILLION - 10_000 - 10,
        failed: 10_000,
        stale: 10,
      });
      expect(await store.countPartitionStatus('other')).toEqual({
        succeeded: 0,
        failed: 0,
        stale: 0,
      });

      const page1 = await store.listPartitionStatus('bars_1m', {
        state: 'failed',
        limit: 100,
        partitions: space,
      });
      expect(page1.items.map((i) => i.index)).toEqual(
        Array.from({ length: 100 }, (_, i) => i * 100 + 7),
      );
      expect(page1.items[0]).toEqual({
        index: 7,
        key: '1990-01-01|S007',
        state: 'failed',
        lastRunId: 'r2',
        updatedAt: '2024-03-15T12:00:00.001Z',
      });
      expect(page1.items.map((i) => i.key)).toEqual(page1.items.map((i) => keyOf(i.index)));
      expect(page1.items[1]?.key).toBe('1990-01-02|S007');
      expect(page1.nextAfterIndex).toBe(9_907);
      const page2 = await store.listPartitionStatus('bars_1m', {
        state: 'failed',
        limit: 100,
        afterIndex: page1.nextAfterIndex,
        partitions: space,
      });
      expect(page2.items[0]).toMatchObject({ index: 10_007, key: '1990-04-11|S007' });
      const lastFailed = await store.listPartitionStatus('bars_1m', {
        state: 'failed',
        afterIndex: 990_007,
      });
      expect(lastFailed.items.map((i) => i.index)).toEqual(
        Array.from({ length: 99 }, (_, i) => 990_107 + i * 100),
      );
      expect(lastFailed.nextAfterIndex).toBeUndefined();

      const stale = await store.listPartitionStatus('bars_1m', {
        state: 'stale',
        partitions: space,
      });
      expect(stale.items.map((i) => [i.index, i.key])).toEqual([
        ...[0, 1, 2, 3, 4, 5, 6, 8, 9].map((d) => [500_000 + d, keyOf(500_000 + d)]),
        [999_999, '2017-05-18|S099'],
      ]);
      const tail = await store.listPartitionStatus('bars_1m', {
        afterIndex: 999_990,
        limit: 5,
        partitions: space,
      });
      expect(tail.items.map((i) => [i.index, i.state, i.key])).toEqual(
        [999_991, 999_992, 999_993, 999_994, 999_995].map((i) => [i, 'succeeded', keyOf(i)]),
      );
      expect(tail.nextAfterIndex).toBe(999_995);
    });

    it('rejects bad states and indexes', async () => {
      await expect(
        store.setPartitionStatus('a', [{ index: -1, state: 'succeeded' }]),
      ).rejects.toBeInstanceOf(PipelinesRunArgumentInvalidError);
      await expect(
        store.setPartitionStatus('a', [{ index: 1, state: 'done' as never }]),
      ).rejects.toThrow(/Unknown partition state "done"/);
      await expect(store.listPartitionStatus('a', { state: 'x' as never })).rejects.toThrow(
        /use one of succeeded, failed, stale/,
      );
    });
  });
});
