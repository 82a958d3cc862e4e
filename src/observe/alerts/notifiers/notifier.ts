/**
 * A notifier sends one alert message somewhere (a webhook, a Slack channel, a mailbox). The
 * message is built once per group notification: a title, a plain-text body and the alerts as
 * data, so each notifier picks the form its receiver wants.
 */
import type { AlertRecord, GroupNotification, NotificationKind } from '../alert-types.js';

/** One alert as notifications carry it. */
export interface AlertMessageItem {
  readonly fingerprint: string;
  readonly rule: string;
  readonly state: 'firing' | 'resolved';
  readonly severity: string;
  readonly summary: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly details: Readonly<Record<string, unknown>>;
  /** ISO-8601 UTC. */
  readonly startedAt: string;
  readonly resolvedAt: string | null;
}

/** What a notifier sends. */
export interface AlertMessage {
  readonly kind: NotificationKind;
  readonly groupKey: string;
  /** One line: `[FIRING:2] check_failed/bars_1d` or `[RESOLVED] ...`. */
  readonly title: string;
  /** The title and one line per alert, for chat and mail. */
  readonly text: string;
  readonly alerts: readonly AlertMessageItem[];
  /** ISO-8601 UTC. */
  readonly sentAt: string;
}

/** Somewhere alert messages go. */
export interface Notifier {
  /** Stable name: webhook, slack, email. */
  readonly name: string;
  /** Where it sends, with any credentials removed (shown in status and logs). */
  readonly target: string;
  /** Sends once; throws `ObserveNotifierDeliveryError` (retryable or not) when it cannot. */
  send(message: AlertMessage, signal: AbortSignal): Promise<void>;
}

function item(a: AlertRecord): AlertMessageItem {
  return {
    fingerprint: a.fingerprint,
    rule: a.rule,
    state: a.state,
    severity: a.severity,
    summary: a.summary,
    labels: a.labels,
    details: a.details,
    startedAt: new Date(a.startedAtMs).toISOString(),
    resolvedAt: a.resolvedAtMs === undefined ? null : new Date(a.resolvedAtMs).toISOString(),
  };
}

function line(a: AlertMessageItem): string {
  const labels = Object.entries(a.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const state = a.state === 'resolved' ? 'RESOLVED' : a.severity.toUpperCase();
  return `- ${state} ${a.rule}: ${a.summary} (${labels})`;
}

/** The message of a group notification. */
export function groupMessage(n: GroupNotification): AlertMessage {
  const alerts = [...n.firing, ...n.resolved].map(item);
  const title =
    n.kind === 'firing'
      ? `[FIRING:${n.firing.length}] ${n.groupKey}${n.resolved.length > 0 ? ` (${n.resolved.length} resolved)` : ''}`
      : `[RESOLVED] ${n.groupKey}`;
  return {
    kind: n.kind,
    groupKey: n.groupKey,
    title,
    text: [`marketlake alert ${title}`, ...alerts.map(line)].join('\n'),
    alerts,
    sentAt: new Date(n.atMs).toISOString(),
  };
}

/** The message `marketlake alerts test` sends to check a notifier's address. */
export function testMessage(nowMs: number): AlertMessage {
  const title = '[TEST] marketlake alerting';
  return {
    kind: 'test',
    groupKey: 'test',
    title,
    text: `marketlake alert ${title}\nThis is a test notification: this notifier is configured and reachable.`,
    alerts: [],
    sentAt: new Date(nowMs).toISOString(),
  };
}

/** A URL with its user, password and query removed, for status and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname.length > 1 ? '/…' : '';
    return `${u.protocol}//${u.host}${path}`;
  } catch {
    return '(invalid URL)';
  }
}
