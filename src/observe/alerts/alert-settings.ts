/**
 * Alerting settings: thresholds of the rules, timing of grouping and repeats, delivery retries,
 * and where notifications go. Defaults apply first, then `MARKETLAKE_ALERT_*` variables (and
 * `ALERT_*` secrets for the notifier addresses, which may hold credentials), each validated with
 * a message naming the variable and what it accepts.
 */
import { ObserveAlertConfigError } from '../errors.js';

/** Thresholds the rules compare against. */
export interface RuleThresholds {
  /**
   * A failed run keeps its asset's run_failed alert firing at least this long, even when a later
   * run succeeds, so every failure is told (keep it above the group wait).
   */
  runFailedHoldMs: number;
  /** A worker not heard from for this long is lost (default: twice the attempt lease). */
  workerLostAfterMs: number;
  /** A lost worker's alert resolves after this long: it is gone, not lost. */
  workerForgetAfterMs: number;
  /** A schedule whose due tick is this late is lagging. */
  scheduleLagSeconds: number;
  /** A dataset with more quarantined rows than this within the window alerts. */
  quarantineRows: number;
  /** The window of the quarantine rule. */
  quarantineWindowMs: number;
  /** CPU time over cpus x wall time x this margin is over budget. */
  cpuMargin: number;
}

/** When group notifications go out (the meaning of Alertmanager's settings of the same names). */
export interface NotificationTiming {
  /** A new group waits this long for more alerts before its first notification. */
  groupWaitMs: number;
  /** A group that changed is notified again no sooner than this after its last notification. */
  groupIntervalMs: number;
  /** A group still firing unchanged is notified again after this long. */
  repeatIntervalMs: number;
}

/** How notifications are delivered. */
export interface DeliverySettings {
  /** Attempts per notifier and notification, the first included. */
  deliveryAttempts: number;
  /** First retry delay; doubles each retry up to `retryMaxDelayMs`. */
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  /** One attempt's time limit. */
  deliveryTimeoutMs: number;
}

/** Every alerting setting. */
export interface AlertSettings extends RuleThresholds, NotificationTiming, DeliverySettings {
  /** How often the alert manager evaluates the rules. */
  evaluateEveryMs: number;
}

/** Where notifications go; each notifier is on when its address is set. */
export interface NotifierSettings {
  /** Generic webhook: POST of a JSON document. */
  webhookUrl?: string;
  /** Slack-compatible incoming webhook: POST of `{"text": ...}`. */
  slackUrl?: string;
  /** smtp://user:pass@host:port (or smtps://); with `emailTo`. */
  smtpUrl?: string;
  emailTo?: string;
  emailFrom?: string;
}

/** Defaults of every setting. */
export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  runFailedHoldMs: 600_000,
  workerLostAfterMs: 60_000,
  workerForgetAfterMs: 24 * 3_600_000,
  scheduleLagSeconds: 300,
  quarantineRows: 100,
  quarantineWindowMs: 24 * 3_600_000,
  cpuMargin: 1.25,
  groupWaitMs: 10_000,
  groupIntervalMs: 120_000,
  repeatIntervalMs: 4 * 3_600_000,
  deliveryAttempts: 5,
  retryInitialDelayMs: 1000,
  retryMaxDelayMs: 30_000,
  deliveryTimeoutMs: 10_000,
  evaluateEveryMs: 15_000,
};

type IntegerKey = Exclude<keyof AlertSettings, 'cpuMargin'>;

/** The variable of each integer setting and its accepted range. */
export const ALERT_SETTING_ENV: readonly {
  key: IntegerKey;
  env: string;
  min: number;
  max: number;
}[] = [
  { key: 'evaluateEveryMs', env: 'MARKETLAKE_ALERT_EVALUATE_MS', min: 100, max: 3_600_000 },
  { key: 'groupWaitMs', env: 'MARKETLAKE_ALERT_GROUP_WAIT_MS', min: 0, max: 3_600_000 },
  { key: 'groupIntervalMs', env: 'MARKETLAKE_ALERT_GROUP_INTERVAL_MS', min: 0, max: 86_400_000 },
  {
    key: 'repeatIntervalMs',
    env: 'MARKETLAKE_ALERT_REPEAT_INTERVAL_MS',
    min: 1000,
    max: 30 * 86_400_000,
  },
  {
    key: 'runFailedHoldMs',
    env: 'MARKETLAKE_ALERT_RUN_FAILED_HOLD_MS',
    min: 0,
    max: 7 * 86_400_000,
  },
  {
    key: 'scheduleLagSeconds',
    env: 'MARKETLAKE_ALERT_SCHEDULE_LAG_SECONDS',
    min: 1,
    max: 7 * 86_400,
  },
  {
    key: 'quarantineRows',
    env: 'MARKETLAKE_ALERT_QUARANTINE_ROWS',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
  },
  {
    key: 'quarantineWindowMs',
    env: 'MARKETLAKE_ALERT_QUARANTINE_WINDOW_MS',
    min: 60_000,
    max: 365 * 86_400_000,
  },
  { key: 'workerLostAfterMs', env: 'MARKETLAKE_ALERT_WORKER_LOST_MS', min: 1000, max: 86_400_000 },
  {
    key: 'workerForgetAfterMs',
    env: 'MARKETLAKE_ALERT_WORKER_FORGET_MS',
    min: 60_000,
    max: 365 * 86_400_000,
  },
  { key: 'deliveryAttempts', env: 'MARKETLAKE_ALERT_DELIVERY_ATTEMPTS', min: 1, max: 20 },
  { key: 'retryInitialDelayMs', env: 'MARKETLAKE_ALERT_RETRY_DELAY_MS', min: 1, max: 600_000 },
  { key: 'retryMaxDelayMs', env: 'MARKETLAKE_ALERT_RETRY_MAX_DELAY_MS', min: 1, max: 3_600_000 },
  { key: 'deliveryTimeoutMs', env: 'MARKETLAKE_ALERT_DELIVERY_TIMEOUT_MS', min: 100, max: 600_000 },
];

const NOTIFIER_ENV: readonly { key: keyof NotifierSettings; name: string; url: boolean }[] = [
  { key: 'webhookUrl', name: 'ALERT_WEBHOOK_URL', url: true },
  { key: 'slackUrl', name: 'ALERT_SLACK_URL', url: true },
  { key: 'smtpUrl', name: 'ALERT_SMTP_URL', url: true },
  { key: 'emailTo', name: 'ALERT_EMAIL_TO', url: false },
  { key: 'emailFrom', name: 'ALERT_EMAIL_FROM', url: false },
];

function checkUrl(name: string, value: string, smtp: boolean): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ObserveAlertConfigError(
      `${name} is not a URL. Write ${smtp ? 'smtp://user:password@host:587' : 'http(s)://host/path'}.`,
      { details: { variable: name } },
    );
  }
  const ok = smtp ? ['smtp:', 'smtps:'] : ['http:', 'https:'];
  if (!ok.includes(url.protocol))
    throw new ObserveAlertConfigError(
      `${name} must start with ${ok.map((p) => `${p}//`).join(' or ')}, got ${url.protocol}//.`,
      { details: { variable: name } },
    );
}

/**
 * Settings and notifier addresses from the environment: `MARKETLAKE_<NAME>` variables win over
 * the `<NAME>` secrets of the configuration (so `MARKETLAKE_SECRET_ALERT_SLACK_URL` works too).
 * `defaults` supplies what depends on other configuration (the worker-lost time from the lease).
 */
export function alertSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  secrets: Readonly<Record<string, string>> = {},
  defaults: Partial<AlertSettings> = {},
): { settings: AlertSettings; notifiers: NotifierSettings } {
  const settings: AlertSettings = { ...DEFAULT_ALERT_SETTINGS, ...defaults };
  for (const spec of ALERT_SETTING_ENV) {
    const raw = env[spec.env];
    if (raw === undefined || raw.trim() === '') continue;
    const n = Number(raw.trim());
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < spec.min || n > spec.max)
      throw new ObserveAlertConfigError(
        `${spec.env} must be an integer from ${spec.min} to ${spec.max}, got "${raw}".`,
        { details: { variable: spec.env } },
      );
    settings[spec.key] = n;
  }
  const notifiers: NotifierSettings = {};
  for (const spec of NOTIFIER_ENV) {
    const variable = `MARKETLAKE_${spec.name}`;
    const value = (env[variable] ?? secrets[spec.name])?.trim();
    if (value === undefined || value === '') continue;
    if (spec.url) checkUrl(variable, value, spec.key === 'smtpUrl');
    notifiers[spec.key] = value;
  }
  if (notifiers.smtpUrl !== undefined && notifiers.emailTo === undefined)
    throw new ObserveAlertConfigError(
      'MARKETLAKE_ALERT_SMTP_URL is set but MARKETLAKE_ALERT_EMAIL_TO is not: set the address alerts are mailed to.',
      { details: { variable: 'MARKETLAKE_ALERT_EMAIL_TO' } },
    );
  return { settings, notifiers };
}
