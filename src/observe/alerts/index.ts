/** Alerting: rules over a platform snapshot, the alert lifecycle, silences and notifiers. */
export * from './alert-types.js';
export * from './alert-snapshot.js';
export * from './alert-settings.js';
export { evaluateAlerts, isOpen, type EngineInput, type EngineResult } from './alert-engine.js';
export {
  AlertManager,
  type AlertManagerOptions,
  type AlertStore,
  type DeliveryRecord,
  type EvaluationReport,
} from './alert-manager.js';
export { alertFingerprint, alertGroupKey } from './fingerprint.js';
export { evaluateRules, budgetOverruns } from './rules.js';
export { matchesSilence, parseDurationMs, silencing, validateMatchers } from './silences.js';
export { deliverWithRetry, type DeliveryOutcome } from './notifiers/deliver.js';
export { emailNotifier, type EmailNotifierOptions } from './notifiers/email-notifier.js';
export { slackNotifier, webhookNotifier } from './notifiers/http-notifiers.js';
export {
  groupMessage,
  redactUrl,
  testMessage,
  type AlertMessage,
  type AlertMessageItem,
  type Notifier,
} from './notifiers/notifier.js';
export { notifiersFrom } from './notifiers/notifiers-from-settings.js';
export { MemoryAlertStore } from './memory-alert-store.js';
