/**
 * Alerts, silences and notification deliveries in the metadata database (migration 4), the same
 * code on SQLite and PostgreSQL: the `AlertStore` the alert manager writes through, and the
 * queries `marketlake alerts` and `/api/alerts` read.
 */
import type { Selectable } from 'kysely';
import { newSortableId } from '../../core/index.js';
import type {
  AlertNotificationsTable,
  AlertSilencesTable,
  AlertsTable,
  MetaStore,
} from '../../meta/index.js';
import {
  ObserveAlertArgumentError,
  ObserveSilenceNotFoundError,
  validateMatchers,
  type AlertRecord,
  type AlertRule,
  type AlertSeverity,
  type AlertState,
  type AlertStore,
  type DeliveryRecord,
  type NotificationKind,
  type Notifier,
  type Silence,
} from '../../observe/index.js';

const n = (v: number | string | bigint | null): number | undefined =>
  v === null ? undefined : Number(v);

function toAlert(r: Selectable<AlertsTable>): AlertRecord {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    rule: r.rule as AlertRule,
    groupKey: r.group_key,
    labels: JSON.parse(r.labels_json) as Record<string, string>,
    state: r.state as AlertState,
    severity: r.severity as AlertSeverity,
    summary: r.summary,
    details: JSON.parse(r.details_json) as Record<string, unknown>,
    startedAtMs: Number(r.started_at_ms),
    updatedAtMs: Number(r.updated_at_ms),
    resolvedAtMs: n(r.resolved_at_ms),
    notifiedState: (r.notified_state ?? undefined) as AlertState | undefined,
    lastNotifiedAtMs: n(r.last_notified_at_ms),
  };
}

function toSilence(r: Selectable<AlertSilencesTable>): Silence {
  return {
    id: r.id,
    matchers: JSON.parse(r.matchers_json) as Record<string, string>,
    reason: r.reason,
    createdBy: r.created_by,
    createdAtMs: Number(r.created_at_ms),
    expiresAtMs: Number(r.expires_at_ms),
  };
}

function toDelivery(r: Selectable<AlertNotificationsTable>): DeliveryRecord {
  return {
    id: r.id,
    groupKey: r.group_key,
    notifier: r.notifier,
    kind: r.kind as NotificationKind,
    fingerprints: JSON.parse(r.fingerprints_json) as string[],
    status: r.status as DeliveryRecord['status'],
    attempts: Number(r.attempts),
    error: r.error ?? undefined,
    createdAtMs: Number(r.created_at_ms),
    sentAtMs: n(r.sent_at_ms),
  };
}

/** What `addSilence` takes. */
export interface SilenceInput {
  readonly matchers: Readonly<Record<string, unknown>>;
  /** How long the silence lasts from `nowMs`. */
  readonly durationMs: number;
  readonly reason: string;
  readonly createdBy: string;
  readonly nowMs?: number;
}

/** Delivery health of one notifier. */
export interface NotifierStatus {
  readonly notifier: string;
  /** Where it sends (credentials removed); undefined when not configured in this process. */
  readonly target: string | undefined;
  readonly configured: boolean;
  readonly lastStatus: DeliveryRecord['status'] | undefined;
  readonly lastAttemptAtMs: number | undefined;
  readonly lastDeliveredAtMs: number | undefined;
  readonly lastError: string | undefined;
  readonly deliveredLast24h: number;
  readonly failedLast24h: number;
}

/** The alert tables of a metadata store. */
export class AlertsStore implements AlertStore {
  constructor(private readonly meta: MetaStore) {}

  async openAlerts(): Promise<AlertRecord[]> {
    const rows = await this.meta.db
      .selectFrom('alerts')
      .selectAll()
      .where((eb) => eb.or([eb('state', '=', 'firing'), eb('notified_state', '=', 'firing')]))
      .orderBy('id')
      .execute();
    return rows.map(toAlert);
  }

  async saveAlerts(records: readonly AlertRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.meta.transaction(async (trx) => {
      for (const a of records) {
        const row = {
          fingerprint: a.fingerprint,
          rule: a.rule,
          group_key: a.groupKey,
          labels_json: JSON.stringify(a.labels),
          state: a.state,
          severity: a.severity,
          summary: a.summary,
          details_json: JSON.stringify(a.details),
          started_at_ms: a.startedAtMs,
          updated_at_ms: a.updatedAtMs,
          resolved_at_ms: a.resolvedAtMs ?? null,
          notified_state: a.notifiedState ?? null,
          last_notified_at_ms: a.lastNotifiedAtMs ?? null,
        };
        await trx
          .insertInto('alerts')
          .values({ id: a.id, ...row })
          .onConflict((oc) => oc.column('id').doUpdateSet(row))
          .execute();
      }
    });
  }

  async activeSilences(nowMs: number): Promise<Silence[]> {
    const rows = await this.meta.db
      .selectFrom('alert_silences')
      .selectAll()
      .where('expires_at_ms', '>', nowMs)
      .orderBy('id')
      .execute();
    return rows.map(toSilence);
  }

  async saveDelivery(d: DeliveryRecord): Promise<void> {
    const row = {
      group_key: d.groupKey,
      notifier: d.notifier,
      kind: d.kind,
      fingerprints_json: JSON.stringify(d.fingerprints),
      status: d.status,
      attempts: d.attempts,
      error: d.error ?? null,
      created_at_ms: d.createdAtMs,
      sent_at_ms: d.sentAtMs ?? null,
    };
    await this.meta.db
      .insertInto('alert_notifications')
      .values({ id: d.id, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
  }

  /** Alerts newest first: firing ones only, or every episode (`all`: the history). */
  async listAlerts(
    query: { all?: boolean; rule?: string; limit?: number } = {},
  ): Promise<AlertRecord[]> {
    let q = this.meta.db.selectFrom('alerts').selectAll();
    if (!query.all) q = q.where('state', '=', 'firing');
    if (query.rule !== undefined) q = q.where('rule', '=', query.rule);
    const rows = await q
      .orderBy('started_at_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit ?? 1000)
      .execute();
    return rows.map(toAlert);
  }

  /** Silences newest first: those in force, or all (`all`). */
  async listSilences(query: { all?: boolean; nowMs?: number } = {}): Promise<Silence[]> {
    let q = this.meta.db.selectFrom('alert_silences').selectAll();
    if (!query.all) q = q.where('expires_at_ms', '>', query.nowMs ?? Date.now());
    const rows = await q.orderBy('id', 'desc').execute();
    return rows.map(toSilence);
  }

  /** Creates a silence. */
  async addSilence(input: SilenceInput): Promise<Silence> {
    const matchers = validateMatchers(input.matchers);
    if (!Number.isFinite(input.durationMs) || input.durationMs <= 0)
      throw new ObserveAlertArgumentError(
        `A silence must last a positive time, got ${input.durationMs} ms. Pass --for 2h (or "for": "2h").`,
      );
    const reason = input.reason.trim();
    if (reason === '')
      throw new ObserveAlertArgumentError(
        'A silence needs a reason, e.g. --reason "provider maintenance until 18:00".',
      );
    const nowMs = input.nowMs ?? Date.now();
    const silence: Silence = {
      id: newSortableId('sil_'),
      matchers,
      reason,
      createdBy: input.createdBy,
      createdAtMs: nowMs,
      expiresAtMs: nowMs + input.durationMs,
    };
    await this.meta.db
      .insertInto('alert_silences')
      .values({
        id: silence.id,
        matchers_json: JSON.stringify(matchers),
        reason,
        created_by: silence.createdBy,
        created_at_ms: nowMs,
        expires_at_ms: silence.expiresAtMs,
      })
      .execute();
    return silence;
  }

  /** Ends a silence now (it stays listed with `all`); throws when no silence has the id. */
  async expireSilence(id: string, nowMs = Date.now()): Promise<Silence> {
    const row = await this.meta.db
      .selectFrom('alert_silences')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined)
      throw new ObserveSilenceNotFoundError(
        `No silence has the id "${id}". List them with \`marketlake alerts silences --all\`.`,
        { details: { id } },
      );
    const expiresAtMs = Math.min(Number(row.expires_at_ms), nowMs);
    await this.meta.db
      .updateTable('alert_silences')
      .set({ expires_at_ms: expiresAtMs })
      .where('id', '=', id)
      .execute();
    return { ...toSilence(row), expiresAtMs };
  }

  /** Deliveries newest first. */
  async listDeliveries(
    query: { notifier?: string; limit?: number } = {},
  ): Promise<DeliveryRecord[]> {
    let q = this.meta.db.selectFrom('alert_notifications').selectAll();
    if (query.notifier !== undefined) q = q.where('notifier', '=', query.notifier);
    const rows = await q
      .orderBy('created_at_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit ?? 100)
      .execute();
    return rows.map(toDelivery);
  }

  /** Delivery health of the configured notifiers and of any other that delivered before. */
  async notifierStatus(
    configured: readonly Notifier[],
    nowMs = Date.now(),
  ): Promise<NotifierStatus[]> {
    const since = nowMs - 86_400_000;
    const [counts, names] = await Promise.all([
      this.meta.db
        .selectFrom('alert_notifications')
        .select(['notifier', 'status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('created_at_ms', '>=', since)
        .groupBy(['notifier', 'status'])
        .execute(),
      this.meta.db.selectFrom('alert_notifications').select('notifier').distinct().execute(),
    ]);
    const all = [
      ...configured.map((c) => c.name),
      ...names.map((r) => r.notifier).filter((x) => !configured.some((c) => c.name === x)),
    ];
    const out: NotifierStatus[] = [];
    for (const name of all) {
      const [last] = await this.listDeliveries({ notifier: name, limit: 1 });
      const delivered = await this.meta.db
        .selectFrom('alert_notifications')
        .select((eb) => eb.fn.max('sent_at_ms').as('at'))
        .where('notifier', '=', name)
        .where('status', '=', 'delivered')
        .executeTakeFirst();
      const count = (status: string): number =>
        Number(counts.find((c) => c.notifier === name && c.status === status)?.n ?? 0);
      const target = configured.find((c) => c.name === name)?.target;
      out.push({
        notifier: name,
        target,
        configured: target !== undefined,
        lastStatus: last?.status,
        lastAttemptAtMs: last?.createdAtMs,
        lastDeliveredAtMs: n(delivered?.at ?? null),
        lastError: last?.error,
        deliveredLast24h: count('delivered'),
        failedLast24h: count('failed'),
      });
    }
    return out;
  }
}
