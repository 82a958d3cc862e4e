/**
 * The alert lifecycle, as a pure function of the previous alerts, the conditions true now,
 * the silences and the time: alerts start firing, update, resolve (or fire again before their
 * resolve was told, which keeps one episode for a flapping condition), and groups are notified
 * the way Alertmanager does it: a new group waits `groupWaitMs` to collect its alerts, a changed
 * group is told again no sooner than `groupIntervalMs`, an unchanged firing group is repeated
 * every `repeatIntervalMs` (deduplication in between). Silenced alerts are kept but not told; when
 * the silence expires they are told as new.
 */
import type { NotificationTiming } from './alert-settings.js';
import type { AlertCandidate, AlertRecord, GroupNotification, Silence } from './alert-types.js';
import { alertFingerprint, alertGroupKey } from './fingerprint.js';
import { silencing } from './silences.js';

/** What one evaluation starts from. */
export interface EngineInput {
  readonly nowMs: number;
  /** Conditions true now (the rules' output). */
  readonly candidates: readonly AlertCandidate[];
  /** Open alerts: firing, or resolved with their resolve not yet told. */
  readonly open: readonly AlertRecord[];
  readonly silences: readonly Silence[];
  readonly timing: NotificationTiming;
  /** Id of a new alert episode. */
  readonly newId: () => string;
}

/** What one evaluation decided. */
export interface EngineResult {
  /** Alerts that are new or changed, to save. */
  readonly changed: readonly AlertRecord[];
  /** Notifications to send now, one per group. */
  readonly notifications: readonly GroupNotification[];
  /** When a notification waiting for its group timing becomes due (undefined: none waits). */
  readonly nextDueMs: number | undefined;
}

function sameContent(a: AlertRecord, c: AlertCandidate): boolean {
  return (
    a.severity === c.severity &&
    a.summary === c.summary &&
    JSON.stringify(a.details) === JSON.stringify(c.details)
  );
}

/** Applies the conditions of now to the open alerts. */
function lifecycle(input: EngineInput): { all: Map<string, AlertRecord>; changed: Set<string> } {
  const { nowMs } = input;
  const byFingerprint = new Map<string, AlertCandidate>();
  for (const c of input.candidates) {
    const fp = alertFingerprint(c.rule, c.labels);
    if (!byFingerprint.has(fp)) byFingerprint.set(fp, c);
  }
  const all = new Map<string, AlertRecord>();
  const changed = new Set<string>();
  const seen = new Set<string>();
  for (const a of input.open) {
    const c = byFingerprint.get(a.fingerprint);
    seen.add(a.fingerprint);
    let next = a;
    if (c === undefined && a.state === 'firing') {
      next = { ...a, state: 'resolved', resolvedAtMs: nowMs, updatedAtMs: nowMs };
    } else if (c !== undefined && (a.state === 'resolved' || !sameContent(a, c))) {
      next = {
        ...a,
        state: 'firing',
        resolvedAtMs: undefined,
        severity: c.severity,
        summary: c.summary,
        details: c.details,
        updatedAtMs: nowMs,
      };
    }
    all.set(next.id, next);
    if (next !== a) changed.add(next.id);
  }
  for (const [fp, c] of byFingerprint) {
    if (seen.has(fp)) continue;
    const record: AlertRecord = {
      id: input.newId(),
      fingerprint: fp,
      rule: c.rule,
      groupKey: alertGroupKey(c.rule, c.group),
      labels: c.labels,
      state: 'firing',
      severity: c.severity,
      summary: c.summary,
      details: c.details,
      startedAtMs: nowMs,
      updatedAtMs: nowMs,
      resolvedAtMs: undefined,
      notifiedState: undefined,
      lastNotifiedAtMs: undefined,
    };
    all.set(record.id, record);
    changed.add(record.id);
  }
  return { all, changed };
}

/** When the group is due to be notified, and with what; undefined when it has nothing to tell. */
function groupDue(
  alerts: readonly AlertRecord[],
  silenced: (a: AlertRecord) => boolean,
  timing: NotificationTiming,
): { dueMs: number; firing: AlertRecord[]; resolved: AlertRecord[] } | undefined {
  const firing = alerts.filter((a) => a.state === 'firing' && !silenced(a));
  const newFiring = firing.filter((a) => a.notifiedState !== 'firing');
  const resolved = alerts.filter(
    (a) => a.state === 'resolved' && a.notifiedState === 'firing' && !silenced(a),
  );
  // The group's open notification: alerts told as firing and not yet told resolved.
  const told = alerts.filter(
    (a) => a.notifiedState === 'firing' && a.lastNotifiedAtMs !== undefined,
  );
  const lastToldMs =
    told.length > 0 ? Math.max(...told.map((a) => a.lastNotifiedAtMs ?? 0)) : undefined;
  let dueMs: number;
  if (newFiring.length > 0 || resolved.length > 0) {
    dueMs =
      lastToldMs === undefined
        ? Math.min(...newFiring.map((a) => a.startedAtMs)) + timing.groupWaitMs
        : lastToldMs + timing.groupIntervalMs;
  } else if (firing.length > 0 && lastToldMs !== undefined) {
    dueMs = lastToldMs + timing.repeatIntervalMs;
  } else return undefined;
  return { dueMs, firing, resolved };
}

/** One evaluation: lifecycle, silences, grouping and the notifications due now. */
export function evaluateAlerts(input: EngineInput): EngineResult {
  const { nowMs, timing } = input;
  const { all, changed } = lifecycle(input);
  const silenced = (a: AlertRecord): boolean =>
    silencing(input.silences, a.rule, a.labels, nowMs) !== undefined;
  const groups = new Map<string, AlertRecord[]>();
  for (const a of all.values()) groups.set(a.groupKey, [...(groups.get(a.groupKey) ?? []), a]);
  const notifications: GroupNotification[] = [];
  let nextDueMs: number | undefined;
  const later = (ms: number): void => {
    nextDueMs = nextDueMs === undefined ? ms : Math.min(nextDueMs, ms);
  };
  for (const [groupKey, alerts] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const a of alerts) {
      const s = silencing(input.silences, a.rule, a.labels, nowMs);
      if (s !== undefined) later(s.expiresAtMs);
    }
    const due = groupDue(alerts, silenced, timing);
    if (due === undefined) continue;
    if (due.dueMs > nowMs) {
      later(due.dueMs);
      continue;
    }
    notifications.push({
      groupKey,
      kind: due.firing.length > 0 ? 'firing' : 'resolved',
      firing: due.firing,
      resolved: due.resolved,
      atMs: nowMs,
    });
    for (const a of [...due.firing, ...due.resolved]) {
      all.set(a.id, { ...a, notifiedState: a.state, lastNotifiedAtMs: nowMs });
      changed.add(a.id);
    }
    if (due.firing.length > 0) later(nowMs + timing.repeatIntervalMs);
  }
  return {
    changed: [...changed].map((id) => all.get(id)).filter((a): a is AlertRecord => a !== undefined),
    notifications,
    nextDueMs,
  };
}

/** Whether an alert is still open after an evaluation (firing, or its resolve not yet told). */
export function isOpen(a: AlertRecord): boolean {
  return a.state === 'firing' || a.notifiedState === 'firing';
}
