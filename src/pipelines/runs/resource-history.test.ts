import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { UsageError } from '../../core/index.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import {
  insertAttempts as insert,
  type FakeAttempt as Fake,
} from '../../../test/helpers/fake-attempts.js';
import { resourceAnomalies } from './resource-anomalies.js';
import { parsePeriodMs, quantile, resourceTop, resourceTrend } from './resource-history.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.parse('2024-03-15T00:00:00.000Z');
const MiB = 1024 * 1024;

describe('resource history helpers', () => {
  it('parses periods and rejects anything else with a usage error', () => {
    expect(parsePeriodMs('7d')).toBe(7 * DAY);
    expect(parsePeriodMs('24h')).toBe(DAY);
    expect(parsePeriodMs('30m')).toBe(30 * 60_000);
    expect(parsePeriodMs('2w')).toBe(14 * DAY);
    for (const bad of ['', '7', 'd', '0d', '1.5d', '7y', '-1d'])
      expect(() => parsePeriodMs(bad)).toThrow(UsageError);
  });

  it('takes nearest-rank quantiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile(values, 0.95)).toBe(95);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([], 0.5)).toBe(0);
  });
});

describe.each(backends)('resource history on $name', (backend) => {
  describe.skipIf(backend.skip)('queries', () => {
    let dir: string;
    let url: string;
    let meta: MetaStore;
    beforeEach(async () => {
      dir = makeTempDir();
      url = backend.url(dir);
      meta = await openMetaStore(url);
    });
    afterEach(async () => {
      await meta.close();
      await backend.cleanup(url);
      removeDir(dir);
    });

    it('ranks assets by each metric with totals, percentiles, failures and the trend', async () => {
      // Last 7 days: "heavy" 20 attempts of wall 1..20 s, cpu 10 s, rss 100..2000 MiB.
      await insert(
        meta,
        Array.from({ length: 20 }, (_, i) => ({
          asset: 'heavy',
          finishedMs: NOW - (i + 1) * HOUR,
          wall: i + 1,
          cpu: 10,
          rss: (i + 1) * 100 * MiB,
          rows: 1000,
          bytes: 5000,
          state: i === 3 ? 'failed' : 'succeeded',
        })),
      );
      await insert(meta, [
        { asset: 'light', finishedMs: NOW - DAY, wall: 100, cpu: 1, rss: 10 * MiB, rows: 9e6 },
        { asset: 'light', finishedMs: NOW - 2 * DAY, wall: 50, cpu: 1, rss: 30 * MiB, rows: 1e6 },
        // Never started (canceled while queued): not measured, not counted.
        { asset: 'light', finishedMs: NOW - DAY, state: 'canceled', started: false, cpu: 99 },
        // Outside the period: in the previous week, for the trend.
        { asset: 'heavy', finishedMs: NOW - 8 * DAY, cpu: 40 },
        { asset: 'old', finishedMs: NOW - 9 * DAY, cpu: 1000 },
      ]);

      const top = await resourceTop(meta.db, { sinceMs: NOW - 7 * DAY, untilMs: NOW });
      expect(top.by).toBe('cpu');
      expect(top.since).toBe('2024-03-08T00:00:00.000Z');
      expect(top.assets.map((a) => a.asset)).toEqual(['heavy', 'light']);
      const heavy = top.assets[0]!;
      expect(heavy.attempts).toBe(20);
      expect(heavy.failures).toBe(1);
      expect(heavy.cpuSeconds).toBeCloseTo(200, 6);
      expect(heavy.wallSeconds.total).toBeCloseTo(210, 6);
      expect(heavy.wallSeconds.avg).toBeCloseTo(10.5, 6);
      expect(heavy.wallSeconds.p95).toBe(19);
      expect(heavy.peakRssBytes.max).toBe(2000 * MiB);
      expect(heavy.peakRssBytes.median).toBe(1000 * MiB);
      expect(heavy.rows).toBe(20_000);
      expect(heavy.bytes).toBe(100_000);
      expect(heavy.trend).toEqual({ metric: 'cpu', current: 200, previous: 40, change: 4 });
      const light = top.assets[1]!;
      expect(light.attempts).toBe(2);
      expect(light.trend.previous).toBeNull();
      expect(light.trend.change).toBeNull();

      const byWall = await resourceTop(meta.db, {
        sinceMs: NOW - 7 * DAY,
        untilMs: NOW,
        by: 'wall',
        limit: 1,
      });
      expect(byWall.assets.map((a) => [a.asset, a.trend.current])).toEqual([['heavy', 210]]);
      const byRows = await resourceTop(meta.db, {
        sinceMs: NOW - 7 * DAY,
        untilMs: NOW,
        by: 'rows',
      });
      expect(byRows.assets.map((a) => a.asset)).toEqual(['light', 'heavy']);
      expect(byRows.assets[0]!.rows).toBe(10_000_000);
      const byMemory = await resourceTop(meta.db, {
        sinceMs: NOW - 7 * DAY,
        untilMs: NOW,
        by: 'memory',
      });
      expect(byMemory.assets.map((a) => a.trend.current)).toEqual([2000 * MiB, 30 * MiB]);
      const longer = await resourceTop(meta.db, { sinceMs: NOW - 10 * DAY, untilMs: NOW });
      expect(longer.assets.map((a) => a.asset)).toEqual(['old', 'heavy', 'light']);
      expect(
        (await resourceTop(meta.db, { sinceMs: NOW + DAY, untilMs: NOW + 2 * DAY })).assets,
      ).toEqual([]);
      await expect(resourceTop(meta.db, { sinceMs: NOW, untilMs: NOW })).rejects.toThrow(
        UsageError,
      );
      await expect(
        resourceTop(meta.db, { sinceMs: 0, untilMs: NOW, by: 'disk' as never }),
      ).rejects.toThrow(/by must be one of cpu, memory, wall, rows, bytes/);
    });

    it('buckets an asset by hour and by day, empty buckets included', async () => {
      await insert(meta, [
        { asset: 'a', finishedMs: NOW - 2 * DAY + 10 * 60_000, wall: 2, cpu: 1, rss: 5 },
        { asset: 'a', finishedMs: NOW - 2 * DAY + 50 * 60_000, wall: 4, cpu: 3, rss: 9 },
        { asset: 'a', finishedMs: NOW - DAY + 5 * HOUR, wall: 8, state: 'failed', rows: 7 },
        { asset: 'b', finishedMs: NOW - DAY + 5 * HOUR, wall: 99 },
      ]);
      const daily = await resourceTrend(meta.db, 'a', { sinceMs: NOW - 3 * DAY, untilMs: NOW });
      expect(daily.bucket).toBe('day');
      expect(daily.points.map((p) => [p.start, p.attempts, p.failures])).toEqual([
        ['2024-03-12T00:00:00.000Z', 0, 0],
        ['2024-03-13T00:00:00.000Z', 2, 0],
        ['2024-03-14T00:00:00.000Z', 1, 1],
      ]);
      expect(daily.points[0]).toMatchObject({ wallSecondsAvg: null, cpuSeconds: null, rows: null });
      expect(daily.points[1]).toMatchObject({
        wallSecondsAvg: 3,
        wallSecondsMax: 4,
        peakRssMaxBytes: 9,
        rows: 0,
      });
      expect(daily.points[1]!.cpuSeconds).toBeCloseTo(4, 6);
      expect(daily.points[2]).toMatchObject({ wallSecondsMax: 8, rows: 7 });

      const hourly = await resourceTrend(meta.db, 'a', {
        sinceMs: NOW - 2 * DAY,
        untilMs: NOW - DAY,
        bucket: 'hour',
      });
      expect(hourly.points).toHaveLength(24);
      expect(hourly.points[0]).toMatchObject({ start: '2024-03-13T00:00:00.000Z', attempts: 2 });
      expect(hourly.points.slice(1).every((p) => p.attempts === 0)).toBe(true);
      await expect(
        resourceTrend(meta.db, 'a', { sinceMs: 0, untilMs: NOW, bucket: 'hour' }),
      ).rejects.toThrow(/more than 5000/);
    });

    it('flags attempts over k times the median of the preceding successful ones', async () => {
      const normal = (i: number): Fake => ({
        asset: 'job',
        finishedMs: NOW - (40 - i) * HOUR,
        wall: 10 + (i % 3),
        cpu: 5,
        rss: 200 * MiB,
      });
      await insert(
        meta,
        Array.from({ length: 30 }, (_, i) => normal(i)),
      );
      const [spike] = await insert(meta, [
        { asset: 'job', finishedMs: NOW - 5 * HOUR, wall: 11, cpu: 16, rss: 900 * MiB },
      ]);
      // A slow failure right after: wall over 3x, but failures never join the baseline.
      const [slow] = await insert(meta, [
        { asset: 'job', finishedMs: NOW - 4 * HOUR, wall: 40, cpu: 5, state: 'failed' },
      ]);
      // Tiny tasks: 0.01 s to 0.5 s is 50x, but under the floors.
      await insert(
        meta,
        Array.from({ length: 10 }, (_, i) => ({
          asset: 'tiny',
          finishedMs: NOW - (20 - i) * HOUR,
          wall: i === 9 ? 0.5 : 0.01,
          cpu: i === 9 ? 0.5 : 0.01,
          rss: 10 * MiB,
        })),
      );
      const found = await resourceAnomalies(meta.db, { k: 3, window: 20 });
      expect(found.map((a) => [a.attemptId, a.metric])).toEqual([
        [slow, 'wall'],
        [spike, 'cpu'],
        [spike, 'memory'],
      ]);
      const cpu = found.find((a) => a.metric === 'cpu')!;
      expect(cpu).toMatchObject({ asset: 'job', value: 16, median: 5, samples: 20 });
      expect(cpu.ratio).toBeCloseTo(3.2, 6);
      expect(found[0]).toMatchObject({ state: 'failed', value: 40, median: 11 });
      // Higher k, a since filter and an asset filter narrow the list.
      expect((await resourceAnomalies(meta.db, { k: 4 })).map((a) => a.metric)).toEqual(['memory']);
      expect(
        (await resourceAnomalies(meta.db, { sinceMs: NOW - 4.5 * HOUR })).map((a) => a.attemptId),
      ).toEqual([slow]);
      expect(await resourceAnomalies(meta.db, { asset: 'tiny' })).toEqual([]);
      expect(
        await resourceAnomalies(meta.db, { asset: 'tiny', floors: { wallSeconds: 0 } }),
      ).toHaveLength(1);
      // Too few samples for a median: nothing is flagged.
      expect(await resourceAnomalies(meta.db, { minSamples: 31 })).toEqual([]);
      await expect(resourceAnomalies(meta.db, { k: 0.5 })).rejects.toThrow(/k must be/);
    });
  });
});
