/** Alerting on the platform's state: freshness policies, the snapshot reader, the alert tables. */
export {
  describeFreshness,
  freshnessPolicyOf,
  latestClosedSession,
  staleBefore,
  type FreshnessPolicy,
} from './freshness.js';
export { AlertSnapshotReader, type SnapshotSources } from './alert-snapshot-reader.js';
export { AlertsStore, type NotifierStatus, type SilenceInput } from './alerts-store.js';
export {
  alertingConfig,
  createPlatformAlerts,
  type AlertConfigSources,
  type PlatformAlerts,
  type PlatformAlertsOptions,
} from './platform-alerts.js';
export { alertView, deliveryView, notifierStatusView, silenceView } from './alert-views.js';
