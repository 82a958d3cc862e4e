/**
 * JSON views of alerts, silences, deliveries and notifier health, as `marketlake alerts --json`
 * and `/api/alerts` serve them: instants as ISO-8601 UTC strings, absent values as null.
 */
import type { AlertRecord, DeliveryRecord, Silence } from '../../observe/index.js';
import type { NotifierStatus } from './alerts-store.js';

const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

/** An alert episode as JSON. */
export function alertView(a: AlertRecord) {
  return {
    id: a.id,
    fingerprint: a.fingerprint,
    rule: a.rule,
    group: a.groupKey,
    state: a.state,
    severity: a.severity,
    summary: a.summary,
    labels: a.labels,
    details: a.details,
    startedAt: iso(a.startedAtMs),
    updatedAt: iso(a.updatedAtMs),
    resolvedAt: iso(a.resolvedAtMs),
    notified: a.notifiedState ?? null,
    lastNotifiedAt: iso(a.lastNotifiedAtMs),
  };
}

/** A silence as JSON, with whether it is in force at `nowMs`. */
export function silenceView(s: Silence, nowMs = Date.now()) {
  return {
    id: s.id,
    matchers: s.matchers,
    reason: s.reason,
    createdBy: s.createdBy,
    createdAt: iso(s.createdAtMs),
    expiresAt: iso(s.expiresAtMs),
    active: s.expiresAtMs > nowMs,
  };
}

/** A notification delivery as JSON. */
export function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    notifier: d.notifier,
    kind: d.kind,
    group: d.groupKey,
    alerts: d.fingerprints,
    status: d.status,
    attempts: d.attempts,
    error: d.error ?? null,
    createdAt: iso(d.createdAtMs),
    sentAt: iso(d.sentAtMs),
  };
}

/** A notifier's delivery health as JSON. */
export function notifierStatusView(s: NotifierStatus) {
  return {
    notifier: s.notifier,
    target: s.target ?? null,
    configured: s.configured,
    lastStatus: s.lastStatus ?? null,
    lastAttemptAt: iso(s.lastAttemptAtMs),
    lastDeliveredAt: iso(s.lastDeliveredAtMs),
    lastError: s.lastError ?? null,
    deliveredLast24h: s.deliveredLast24h,
    failedLast24h: s.failedLast24h,
  };
}
