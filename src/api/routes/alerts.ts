import type { FastifyInstance } from 'fastify';
import { UsageError } from '../../core/index.js';
import { deliverWithRetry, parseDurationMs, testMessage } from '../../observe/index.js';
import {
  alertingConfig,
  alertView,
  AlertsStore,
  deliveryView,
  notifierStatusView,
  silenceView,
} from '../../pipelines/index.js';
import type { Platform } from '../platform.js';
import { bodyObject, intParam, onlyFields, stringField, stringMapField } from './validate.js';

interface IdParams {
  id: string;
}

/**
 * Alerts: `GET /api/alerts` (firing, with the silences in force), `GET /api/alerts/history`,
 * silences (`GET`, `POST /api/alerts/silences`, `DELETE /api/alerts/silences/:id`), notifier
 * delivery health (`GET /api/alerts/notifiers`) and `POST /api/alerts/test`.
 */
export function alertRoutes(app: FastifyInstance, platform: Platform): void {
  const store = new AlertsStore(platform.store);
  const config = () =>
    alertingConfig({
      env: process.env,
      secrets: platform.config.secrets,
      attemptLeaseMs: platform.config.attemptLeaseMs,
    });

  app.get('/api/alerts', async () => {
    const now = Date.now();
    const [alerts, silences] = await Promise.all([
      store.listAlerts(),
      store.listSilences({ nowMs: now }),
    ]);
    return { alerts: alerts.map(alertView), silences: silences.map((s) => silenceView(s, now)) };
  });

  app.get<{ Querystring: { limit?: string; rule?: string } }>(
    '/api/alerts/history',
    async (req) => {
      const limit = intParam(req.query.limit, 'limit', 1) ?? 200;
      const alerts = await store.listAlerts({
        all: true,
        limit,
        ...(req.query.rule ? { rule: req.query.rule } : {}),
      });
      return { alerts: alerts.map(alertView) };
    },
  );

  app.get<{ Querystring: { all?: string } }>('/api/alerts/silences', async (req) => {
    const now = Date.now();
    const silences = await store.listSilences({ all: req.query.all === 'true', nowMs: now });
    return { silences: silences.map((s) => silenceView(s, now)) };
  });

  app.post('/api/alerts/silences', async (req, reply) => {
    const body = bodyObject(
      req.body,
      '{"matchers": {"rule": "asset_stale", "asset": "bars_1d"}, "for": "2h", "reason": "..."}',
    );
    onlyFields(body, ['matchers', 'for', 'reason', 'createdBy']);
    const matchers = stringMapField(body, 'matchers') ?? {};
    const duration = stringField(body, 'for');
    if (duration === undefined)
      throw new UsageError('Body field "for" is required: how long the silence lasts, e.g. "2h".');
    const silence = await store.addSilence({
      matchers,
      durationMs: parseDurationMs(duration, '"for"'),
      reason: stringField(body, 'reason') ?? '',
      createdBy: stringField(body, 'createdBy') ?? 'api',
    });
    return reply.code(201).send(silenceView(silence));
  });

  app.delete<{ Params: IdParams }>('/api/alerts/silences/:id', async (req) =>
    silenceView(await store.expireSilence(req.params.id)),
  );

  app.get<{ Querystring: { limit?: string } }>('/api/alerts/notifiers', async (req) => {
    const { notifiers } = config();
    const limit = intParam(req.query.limit, 'limit', 1) ?? 20;
    const [status, deliveries] = await Promise.all([
      store.notifierStatus(notifiers),
      store.listDeliveries({ limit }),
    ]);
    return {
      notifiers: status.map(notifierStatusView),
      deliveries: deliveries.map(deliveryView),
    };
  });

  app.post('/api/alerts/test', async () => {
    const { notifiers, settings } = config();
    const message = testMessage(Date.now());
    const outcomes = await Promise.all(
      notifiers.map(async (n) => ({
        target: n.target,
        ...(await deliverWithRetry(n, message, { ...settings, deliveryAttempts: 1 })),
      })),
    );
    return {
      notifiers: outcomes.map((o) => ({
        notifier: o.notifier,
        target: o.target,
        status: o.status,
        attempts: o.attempts,
        error: o.error ?? null,
      })),
    };
  });
}
