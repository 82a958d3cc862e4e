/**
 * Alerting of a platform process, assembled: settings and notifiers from the environment and the
 * configuration's secrets, the database-backed store, the snapshot reader, and the manager that
 * evaluates them. `marketlake up` starts it; the CLI and API use the store and notifiers.
 */
import type { Logger } from '../../core/index.js';
import type { Lake } from '../../lake/index.js';
import type { MetaStore } from '../../meta/index.js';
import {
  AlertManager,
  alertSettingsFromEnv,
  notifiersFrom,
  type AlertSettings,
  type Notifier,
  type NotifierSettings,
} from '../../observe/index.js';
import type { ProjectSnapshot } from '../runtime/index.js';
import { AlertSnapshotReader } from './alert-snapshot-reader.js';
import { AlertsStore } from './alerts-store.js';

/** Where alerting reads its configuration. */
export interface AlertConfigSources {
  /** Usually `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The configuration's secrets (`ALERT_WEBHOOK_URL`, ...). */
  readonly secrets?: Readonly<Record<string, string>>;
  /** The attempt lease: a worker is lost after twice it unless configured. */
  readonly attemptLeaseMs?: number;
}

/** Alerting settings and notifiers of a process. */
export function alertingConfig(sources: AlertConfigSources): {
  settings: AlertSettings;
  notifierSettings: NotifierSettings;
  notifiers: Notifier[];
} {
  const { settings, notifiers } = alertSettingsFromEnv(
    sources.env,
    sources.secrets,
    sources.attemptLeaseMs !== undefined ? { workerLostAfterMs: 2 * sources.attemptLeaseMs } : {},
  );
  return {
    settings,
    notifierSettings: notifiers,
    notifiers: notifiersFrom(notifiers, settings.deliveryTimeoutMs),
  };
}

/** What `startPlatformAlerts` needs. */
export interface PlatformAlertsOptions extends AlertConfigSources {
  readonly meta: MetaStore;
  readonly lake?: Lake;
  /** The project now (reloads are seen at the next evaluation). */
  readonly project: () => ProjectSnapshot | undefined;
  readonly logger: Logger;
  /** Epoch ms now (tests pin it). */
  readonly clock?: () => number;
  /** Whether this process evaluates now (the active scheduler of a cluster). */
  readonly active?: () => boolean;
}

/** Running alerting: the manager (started), its store and what it was configured with. */
export interface PlatformAlerts {
  readonly manager: AlertManager;
  readonly store: AlertsStore;
  readonly settings: AlertSettings;
  readonly notifiers: readonly Notifier[];
}

/** Builds alerting for a process; `start` begins periodic evaluation. */
export function createPlatformAlerts(options: PlatformAlertsOptions): PlatformAlerts {
  const { settings, notifiers } = alertingConfig(options);
  const store = new AlertsStore(options.meta);
  const reader = new AlertSnapshotReader({
    meta: options.meta,
    project: options.project,
    ...(options.lake !== undefined ? { lake: options.lake } : {}),
    thresholds: settings,
    logger: options.logger,
  });
  const manager = new AlertManager({
    store,
    snapshot: (nowMs) => reader.read(nowMs),
    notifiers,
    settings,
    logger: options.logger,
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    ...(options.active !== undefined ? { active: options.active } : {}),
  });
  return { manager, store, settings, notifiers };
}
