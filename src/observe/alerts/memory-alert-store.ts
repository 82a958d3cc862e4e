/** An `AlertStore` in memory: for processes without a database and for tests. */
import { isOpen } from './alert-engine.js';
import type { AlertStore, DeliveryRecord } from './alert-manager.js';
import type { AlertRecord, Silence } from './alert-types.js';

/** Keeps alerts, silences and deliveries in maps. */
export class MemoryAlertStore implements AlertStore {
  readonly alerts = new Map<string, AlertRecord>();
  readonly silences = new Map<string, Silence>();
  readonly deliveries = new Map<string, DeliveryRecord>();
  /** Every saved state of every delivery, in order (to see retries as they happened). */
  readonly deliveryLog: DeliveryRecord[] = [];

  openAlerts(): Promise<AlertRecord[]> {
    return Promise.resolve([...this.alerts.values()].filter(isOpen));
  }

  saveAlerts(records: readonly AlertRecord[]): Promise<void> {
    for (const r of records) this.alerts.set(r.id, r);
    return Promise.resolve();
  }

  activeSilences(nowMs: number): Promise<Silence[]> {
    return Promise.resolve([...this.silences.values()].filter((s) => s.expiresAtMs > nowMs));
  }

  saveDelivery(record: DeliveryRecord): Promise<void> {
    this.deliveries.set(record.id, record);
    this.deliveryLog.push(record);
    return Promise.resolve();
  }
}
