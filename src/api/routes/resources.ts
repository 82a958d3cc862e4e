import type { FastifyInstance } from 'fastify';
import { UsageError } from '../../core/index.js';
import {
  RESOURCE_METRICS,
  assertResourceAsset,
  parsePeriodMs,
  resourceAnomalies,
  resourceTop,
  resourceTrend,
} from '../../pipelines/index.js';
import type { Platform } from '../platform.js';
import { intParam } from './validate.js';

interface ResourceQuery {
  since?: string;
  until?: string;
  by?: string;
  limit?: string;
  bucket?: string;
  k?: string;
  window?: string;
  recent?: string;
  asset?: string;
}

const DAY_MS = 86_400_000;

/** `until` as an ISO-8601 instant (default now). */
function untilOf(value: string | undefined): number {
  if (value === undefined || value === '') return Date.now();
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw new UsageError(
      `Query parameter until=${JSON.stringify(value)} must be an ISO-8601 instant such as 2024-03-15T00:00:00Z.`,
    );
  return ms;
}

/** The start of the period: `since` (a period such as 7d) before `until`. */
function sinceOf(value: string | undefined, untilMs: number, fallbackMs: number): number {
  if (value === undefined || value === '') return untilMs - fallbackMs;
  return untilMs - parsePeriodMs(value, 'Query parameter since');
}

function numberParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(n))
    throw new UsageError(`Query parameter ${name}=${JSON.stringify(value)} must be a number.`);
  return n;
}

/**
 * Resource history: `GET /api/resources/top` (most expensive assets over `since`),
 * `GET /api/resources/:asset/trend` (time buckets) and `GET /api/resources/anomalies`.
 */
export function resourceRoutes(app: FastifyInstance, platform: Platform): void {
  const db = platform.store.db;
  app.get<{ Querystring: ResourceQuery }>('/api/resources/top', async (req) => {
    const q = req.query;
    const untilMs = untilOf(q.until);
    const by = q.by === undefined || q.by === '' ? undefined : q.by;
    if (by !== undefined && !RESOURCE_METRICS.includes(by as never))
      throw new UsageError(
        `Query parameter by=${JSON.stringify(by)} must be one of ${RESOURCE_METRICS.join(', ')}.`,
      );
    return resourceTop(db, {
      sinceMs: sinceOf(q.since, untilMs, 7 * DAY_MS),
      untilMs,
      by: by as (typeof RESOURCE_METRICS)[number] | undefined,
      limit: intParam(q.limit, 'limit', 1),
    });
  });
  app.get<{ Params: { asset: string }; Querystring: ResourceQuery }>(
    '/api/resources/:asset/trend',
    async (req) => {
      const q = req.query;
      const { asset } = req.params;
      const known = platform.pipelines?.project.current().loaded.assets.map((a) => a.name) ?? [];
      await assertResourceAsset(db, asset, known);
      const untilMs = untilOf(q.until);
      if (q.bucket !== undefined && q.bucket !== 'hour' && q.bucket !== 'day')
        throw new UsageError(
          `Query parameter bucket=${JSON.stringify(q.bucket)} must be hour or day.`,
        );
      const bucket = q.bucket ?? 'day';
      return resourceTrend(db, asset, {
        sinceMs: sinceOf(q.since, untilMs, bucket === 'hour' ? DAY_MS : 30 * DAY_MS),
        untilMs,
        bucket,
      });
    },
  );
  app.get<{ Querystring: ResourceQuery }>('/api/resources/anomalies', async (req) => {
    const q = req.query;
    const anomalies = await resourceAnomalies(db, {
      k: numberParam(q.k, 'k'),
      window: intParam(q.window, 'window', 1),
      recent: intParam(q.recent, 'recent', 1),
      limit: intParam(q.limit, 'limit', 1),
      ...(q.asset ? { asset: q.asset } : {}),
      ...(q.since ? { sinceMs: sinceOf(q.since, Date.now(), 0) } : {}),
    });
    return { anomalies };
  });
}
