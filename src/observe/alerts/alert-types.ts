/**
 * The shapes of alerting: what a rule finds (a candidate), what the engine keeps (an alert
 * episode, firing until it resolves), silences, and the group notifications it decides to send.
 */

/** How urgent an alert is. */
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** The built-in rules, in the order `marketlake alerts` documents them. */
export const ALERT_RULES = [
  'run_failed',
  'asset_stale',
  'check_failed',
  'worker_lost',
  'schedule_lag',
  'resource_budget',
  'quarantine_rows',
] as const;

/** Name of a built-in rule. */
export type AlertRule = (typeof ALERT_RULES)[number];

/** String labels that identify what an alert is about (asset, check, worker, ...). */
export type AlertLabels = Readonly<Record<string, string>>;

/** A condition a rule found true at evaluation time. */
export interface AlertCandidate {
  readonly rule: AlertRule;
  /** Identify the alert (with the rule): the same labels next time are the same alert. */
  readonly labels: AlertLabels;
  readonly severity: AlertSeverity;
  /** One line a person reads first. */
  readonly summary: string;
  /** What the rule measured (run id, error, lag, counts); may change while the alert fires. */
  readonly details: Readonly<Record<string, unknown>>;
  /** The thing the alert is grouped by with its rule (asset, dataset, worker, schedule). */
  readonly group: string;
}

/** Whether an alert's condition holds. */
export type AlertState = 'firing' | 'resolved';

/** One episode of an alert, as the engine and the store keep it. */
export interface AlertRecord {
  readonly id: string;
  readonly fingerprint: string;
  readonly rule: AlertRule;
  /** `<rule>/<group>`: alerts with one key are notified together. */
  readonly groupKey: string;
  readonly labels: AlertLabels;
  readonly state: AlertState;
  readonly severity: AlertSeverity;
  readonly summary: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly startedAtMs: number;
  readonly updatedAtMs: number;
  readonly resolvedAtMs: number | undefined;
  /** The state the last notification told (undefined: never notified). */
  readonly notifiedState: AlertState | undefined;
  readonly lastNotifiedAtMs: number | undefined;
}

/** Alerts whose labels match every matcher are not notified until `expiresAtMs`. */
export interface Silence {
  readonly id: string;
  /** Label (or `rule`) -> value; `*` in a value matches any run of characters. */
  readonly matchers: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly createdBy: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

/** What a notification says about its group: something fires, all resolved, or a test. */
export type NotificationKind = 'firing' | 'resolved' | 'test';

/** A notification the engine decided to send for one group. */
export interface GroupNotification {
  readonly groupKey: string;
  readonly kind: NotificationKind;
  /** Every alert of the group firing now (not silenced). */
  readonly firing: readonly AlertRecord[];
  /** Alerts of the group resolved since the group's last notification. */
  readonly resolved: readonly AlertRecord[];
  readonly atMs: number;
}
