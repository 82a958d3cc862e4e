/**
 * Runs alerting in a platform process: every `evaluateEveryMs` (and soon after a hook asks, e.g.
 * when a run failed) it takes a snapshot, evaluates the rules and the lifecycle, saves the alerts,
 * and delivers the due group notifications to every notifier with retries, recording each
 * delivery (sending, then delivered or failed with its attempts and last error). Evaluations never
 * overlap; one that throws is logged and the next one tries again.
 */
import { newSortableId, type Logger } from '../../core/index.js';
import { evaluateAlerts } from './alert-engine.js';
import type { AlertSettings } from './alert-settings.js';
import type { AlertSnapshot } from './alert-snapshot.js';
import type { AlertRecord, GroupNotification, NotificationKind, Silence } from './alert-types.js';
import { deliverWithRetry, type DeliveryOutcome } from './notifiers/deliver.js';
import {
  groupMessage,
  testMessage,
  type AlertMessage,
  type Notifier,
} from './notifiers/notifier.js';
import { evaluateRules } from './rules.js';

/** One delivery of a notification to one notifier, as stored. */
export interface DeliveryRecord {
  readonly id: string;
  readonly groupKey: string;
  readonly notifier: string;
  readonly kind: NotificationKind;
  readonly fingerprints: readonly string[];
  readonly status: 'sending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly error: string | undefined;
  readonly createdAtMs: number;
  readonly sentAtMs: number | undefined;
}

/** Where alerts, silences and deliveries are kept (the metadata database in the platform). */
export interface AlertStore {
  /** Alerts firing, or resolved with their resolve not yet told. */
  openAlerts(): Promise<AlertRecord[]>;
  /** Inserts or updates alerts by id. */
  saveAlerts(records: readonly AlertRecord[]): Promise<void>;
  /** Silences in force at `nowMs`. */
  activeSilences(nowMs: number): Promise<Silence[]>;
  /** Inserts or updates a delivery by id. */
  saveDelivery(record: DeliveryRecord): Promise<void>;
}

/** Options of `new AlertManager`. */
export interface AlertManagerOptions {
  readonly store: AlertStore;
  /** The platform's state at `nowMs`. */
  readonly snapshot: (nowMs: number) => Promise<AlertSnapshot>;
  readonly notifiers: readonly Notifier[];
  readonly settings: AlertSettings;
  readonly logger: Logger;
  /** Epoch ms now (tests pin it). */
  readonly clock?: () => number;
  /**
   * Whether this process evaluates now (default always): in a cluster only the active scheduler
   * does, so standby nodes do not notify twice.
   */
  readonly active?: () => boolean;
}

/** What one evaluation did. */
export interface EvaluationReport {
  readonly atMs: number;
  /** Alerts firing after it. */
  readonly firing: number;
  readonly changed: number;
  readonly notifications: readonly GroupNotification[];
  readonly deliveries: readonly DeliveryOutcome[];
}

/** Evaluates the rules on a timer and on request, and delivers notifications. */
export class AlertManager {
  readonly #o: AlertManagerOptions;
  readonly #clock: () => number;
  #chain: Promise<unknown> = Promise.resolve();
  #interval: NodeJS.Timeout | undefined;
  #wake: NodeJS.Timeout | undefined;
  #requested = false;
  #stopped = false;
  readonly #abort = new AbortController();
  #last: EvaluationReport | undefined;

  constructor(options: AlertManagerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
  }

  /** The configured notifiers. */
  get notifiers(): readonly Notifier[] {
    return this.#o.notifiers;
  }

  /** The last evaluation that completed. */
  get lastEvaluation(): EvaluationReport | undefined {
    return this.#last;
  }

  /** Evaluates every `evaluateEveryMs` until `stop`. */
  start(): void {
    this.#interval = setInterval(() => this.requestEvaluation(), this.#o.settings.evaluateEveryMs);
    this.#interval.unref();
    this.requestEvaluation();
  }

  /** Asks for an evaluation soon; requests made while one waits are merged into it. */
  requestEvaluation(): void {
    if (this.#requested || this.#stopped) return;
    this.#requested = true;
    void this.evaluate().catch(() => undefined);
  }

  /** Evaluates now (after any evaluation in progress) and delivers what is due. */
  evaluate(): Promise<EvaluationReport> {
    const next = this.#chain.then(async () => {
      this.#requested = false;
      try {
        return await this.#evaluateOnce();
      } catch (err) {
        this.#o.logger.error({ err }, 'alert evaluation failed');
        throw err;
      }
    });
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #evaluateOnce(): Promise<EvaluationReport> {
    const { store, settings } = this.#o;
    const nowMs = this.#clock();
    if (this.#o.active?.() === false)
      return { atMs: nowMs, firing: 0, changed: 0, notifications: [], deliveries: [] };
    const [snapshot, open, silences] = await Promise.all([
      this.#o.snapshot(nowMs),
      store.openAlerts(),
      store.activeSilences(nowMs),
    ]);
    const result = evaluateAlerts({
      nowMs,
      candidates: evaluateRules(snapshot, settings),
      open,
      silences,
      timing: settings,
      newId: () => newSortableId('alert_'),
    });
    await store.saveAlerts(result.changed);
    const deliveries = (
      await Promise.all(
        result.notifications.map((n) =>
          this.#deliverAll(groupMessage(n), n.groupKey, [...n.firing, ...n.resolved]),
        ),
      )
    ).flat();
    this.#scheduleWake(result.nextDueMs);
    const latest = new Map([...open, ...result.changed].map((a) => [a.id, a]));
    const report: EvaluationReport = {
      atMs: nowMs,
      firing: [...latest.values()].filter((a) => a.state === 'firing').length,
      changed: result.changed.length,
      notifications: result.notifications,
      deliveries,
    };
    this.#last = report;
    return report;
  }

  #scheduleWake(dueMs: number | undefined): void {
    if (this.#wake !== undefined) clearTimeout(this.#wake);
    this.#wake = undefined;
    if (dueMs === undefined || this.#stopped || this.#interval === undefined) return;
    const delay = Math.max(0, dueMs - this.#clock());
    if (delay >= this.#o.settings.evaluateEveryMs) return; // the interval comes first
    this.#wake = setTimeout(() => this.requestEvaluation(), delay + 5);
    this.#wake.unref();
  }

  async #deliverAll(
    message: AlertMessage,
    groupKey: string,
    alerts: readonly AlertRecord[],
  ): Promise<DeliveryOutcome[]> {
    if (this.#o.notifiers.length === 0) {
      // Not a warning: running without notifiers is a choice, and `up` prints it at start.
      this.#o.logger.info({ groupKey, title: message.title }, 'alert not sent: no notifier');
      return [];
    }
    return Promise.all(
      this.#o.notifiers.map((n) => this.#deliverOne(n, message, groupKey, alerts)),
    );
  }

  async #deliverOne(
    notifier: Notifier,
    message: AlertMessage,
    groupKey: string,
    alerts: readonly AlertRecord[],
  ): Promise<DeliveryOutcome> {
    const { store, settings, logger } = this.#o;
    const base = {
      id: newSortableId('ntf_'),
      groupKey,
      notifier: notifier.name,
      kind: message.kind,
      fingerprints: alerts.map((a) => a.fingerprint),
      createdAtMs: this.#clock(),
    };
    const save = (r: Omit<DeliveryRecord, keyof typeof base>): Promise<void> =>
      store.saveDelivery({ ...base, ...r }).catch((err: unknown) => {
        logger.error({ err, notifier: notifier.name }, 'could not record an alert delivery');
      });
    await save({ status: 'sending', attempts: 0, error: undefined, sentAtMs: undefined });
    const outcome = await deliverWithRetry(
      notifier,
      message,
      settings,
      (attempt, error) => {
        logger.warn({ notifier: notifier.name, attempt, error }, 'alert delivery attempt failed');
        return save({ status: 'sending', attempts: attempt, error, sentAtMs: undefined });
      },
      this.#abort.signal,
    );
    await save({
      status: outcome.status,
      attempts: outcome.attempts,
      error: outcome.error,
      sentAtMs: outcome.status === 'delivered' ? this.#clock() : undefined,
    });
    if (outcome.status === 'failed')
      logger.error(
        {
          notifier: notifier.name,
          target: notifier.target,
          attempts: outcome.attempts,
          error: outcome.error,
        },
        `alert delivery failed: ${message.title}`,
      );
    return outcome;
  }

  /** Sends a test message to every notifier and reports each delivery. */
  async sendTest(): Promise<DeliveryOutcome[]> {
    return this.#deliverAll(testMessage(this.#clock()), 'test', []);
  }

  /**
   * Stops the timers and waits for the evaluation in progress; deliveries still retrying after
   * `graceMs` are cut short (recorded as failed), so stopping the platform stays quick.
   */
  async stop(graceMs = 3000): Promise<void> {
    this.#stopped = true;
    if (this.#interval !== undefined) clearInterval(this.#interval);
    if (this.#wake !== undefined) clearTimeout(this.#wake);
    const done = this.#chain.then(() => true).catch(() => true);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>(
      (resolve) => (timer = setTimeout(() => resolve(false), graceMs)),
    );
    const finished = await Promise.race([done, late]);
    clearTimeout(timer);
    if (!finished) this.#abort.abort();
    await done;
  }
}
