import { describe, expect, it } from 'vitest';
import { evaluateAlerts, isOpen } from './alert-engine.js';
import type { NotificationTiming } from './alert-settings.js';
import type { AlertCandidate, AlertRecord, GroupNotification, Silence } from './alert-types.js';

const T0 = Date.UTC(2024, 4, 6, 14, 0, 0);
const TIMING: NotificationTiming = {
  groupWaitMs: 10_000,
  groupIntervalMs: 60_000,
  repeatIntervalMs: 3_600_000,
};

function failed(asset: string, runId = 'run_1'): AlertCandidate {
  return {
    rule: 'run_failed',
    labels: { asset },
    severity: 'critical',
    group: asset,
    summary: `Run ${runId} failed on asset ${asset}`,
    details: { runId },
  };
}

function checkFailed(asset: string, check: string): AlertCandidate {
  return {
    rule: 'check_failed',
    labels: { asset, check },
    severity: 'warning',
    group: asset,
    summary: `Check ${check} of ${asset} failed`,
    details: {},
  };
}

/** The engine with its alerts kept between evaluations, like the store keeps them. */
function harness() {
  const alerts = new Map<string, AlertRecord>();
  let ids = 0;
  const silences: Silence[] = [];
  return {
    alerts,
    silences,
    at(nowMs: number, candidates: AlertCandidate[]): GroupNotification[] {
      const result = evaluateAlerts({
        nowMs,
        candidates,
        open: [...alerts.values()].filter(isOpen),
        silences,
        timing: TIMING,
        newId: () => `a${++ids}`,
      });
      for (const a of result.changed) alerts.set(a.id, a);
      return [...result.notifications];
    },
    next(nowMs: number, candidates: AlertCandidate[]): number | undefined {
      return evaluateAlerts({
        nowMs,
        candidates,
        open: [...alerts.values()].filter(isOpen),
        silences,
        timing: TIMING,
        newId: () => `a${++ids}`,
      }).nextDueMs;
    },
  };
}

describe('alert lifecycle and notifications', () => {
  it('fires, waits for its group, then notifies once', () => {
    const h = harness();
    expect(h.at(T0, [failed('bars')])).toEqual([]);
    const [a] = [...h.alerts.values()];
    expect(a).toMatchObject({ state: 'firing', rule: 'run_failed', groupKey: 'run_failed/bars' });
    expect(a?.startedAtMs).toBe(T0);
    expect(h.next(T0 + 1000, [failed('bars')])).toBe(T0 + TIMING.groupWaitMs);
    const sent = h.at(T0 + TIMING.groupWaitMs, [failed('bars')]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ groupKey: 'run_failed/bars', kind: 'firing' });
    expect(sent[0]?.firing.map((x) => x.labels['asset'])).toEqual(['bars']);
    expect(h.at(T0 + TIMING.groupWaitMs + 1000, [failed('bars')])).toEqual([]);
  });

  it('groups alerts of one rule and asset into one notification, other groups apart', () => {
    const h = harness();
    h.at(T0, [checkFailed('bars', 'ohlc')]);
    h.at(T0 + 3000, [checkFailed('bars', 'ohlc'), checkFailed('bars', 'gaps'), failed('bars')]);
    const sent = h.at(T0 + 10_000, [
      checkFailed('bars', 'ohlc'),
      checkFailed('bars', 'gaps'),
      failed('bars'),
    ]);
    // check_failed/bars started at T0 (due now); run_failed/bars started at T0+3s (due later).
    expect(sent.map((n) => n.groupKey)).toEqual(['check_failed/bars']);
    expect(sent[0]?.firing.map((a) => a.labels['check']).sort()).toEqual(['gaps', 'ohlc']);
    const later = h.at(T0 + 13_000, [
      checkFailed('bars', 'ohlc'),
      checkFailed('bars', 'gaps'),
      failed('bars'),
    ]);
    expect(later.map((n) => n.groupKey)).toEqual(['run_failed/bars']);
  });

  it('deduplicates within the repeat interval and repeats after it', () => {
    const h = harness();
    h.at(T0, [failed('bars')]);
    expect(h.at(T0 + 10_000, [failed('bars')])).toHaveLength(1);
    for (const dt of [60_000, 600_000, 3_000_000])
      expect(h.at(T0 + 10_000 + dt, [failed('bars')]), `after ${dt} ms`).toEqual([]);
    const repeat = h.at(T0 + 10_000 + TIMING.repeatIntervalMs, [failed('bars')]);
    expect(repeat).toHaveLength(1);
    expect(repeat[0]?.kind).toBe('firing');
  });

  it('a new alert in a notified group waits for the group interval, not the group wait', () => {
    const h = harness();
    h.at(T0, [checkFailed('bars', 'ohlc')]);
    h.at(T0 + 10_000, [checkFailed('bars', 'ohlc')]);
    const both = [checkFailed('bars', 'ohlc'), checkFailed('bars', 'gaps')];
    expect(h.at(T0 + 30_000, both)).toEqual([]);
    expect(h.at(T0 + 45_000, both)).toEqual([]);
    const sent = h.at(T0 + 70_000, both);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.firing).toHaveLength(2);
  });

  it('sends a resolve notification when the condition clears, then forgets the alert', () => {
    const h = harness();
    h.at(T0, [failed('bars')]);
    h.at(T0 + 10_000, [failed('bars')]);
    expect(h.at(T0 + 20_000, [])).toEqual([]); // resolved, waiting for the group interval
    const a = [...h.alerts.values()][0];
    expect(a).toMatchObject({ state: 'resolved', resolvedAtMs: T0 + 20_000 });
    const sent = h.at(T0 + 70_000, []);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: 'resolved', firing: [] });
    expect(sent[0]?.resolved.map((x) => x.id)).toEqual([a?.id]);
    expect([...h.alerts.values()].filter(isOpen)).toEqual([]);
    // Firing again later is a new episode with its own group wait.
    expect(h.at(T0 + 100_000, [failed('bars', 'run_2')])).toEqual([]);
    expect(h.alerts.size).toBe(2);
    expect(h.at(T0 + 110_000, [failed('bars', 'run_2')])).toHaveLength(1);
  });

  it('never tells the resolve of an alert it never told', () => {
    const h = harness();
    h.at(T0, [failed('bars')]);
    expect(h.at(T0 + 5000, [])).toEqual([]);
    expect(h.at(T0 + 600_000, [])).toEqual([]);
    expect([...h.alerts.values()].filter(isOpen)).toEqual([]);
  });

  it('keeps one episode when a condition flaps before its resolve is told', () => {
    const h = harness();
    h.at(T0, [failed('bars')]);
    h.at(T0 + 10_000, [failed('bars')]);
    h.at(T0 + 20_000, []);
    expect(h.at(T0 + 30_000, [failed('bars', 'run_2')])).toEqual([]);
    expect(h.alerts.size).toBe(1);
    expect([...h.alerts.values()][0]).toMatchObject({
      state: 'firing',
      summary: 'Run run_2 failed on asset bars',
    });
  });

  it('a silence suppresses notifications, and its expiry restores them', () => {
    const h = harness();
    h.silences.push({
      id: 'sil_1',
      matchers: { rule: 'run_failed', asset: 'ba*' },
      reason: 'maintenance',
      createdBy: 'test',
      createdAtMs: T0,
      expiresAtMs: T0 + 600_000,
    });
    h.at(T0, [failed('bars'), failed('other')]);
    const during = h.at(T0 + 10_000, [failed('bars'), failed('other')]);
    expect(during.map((n) => n.groupKey)).toEqual(['run_failed/other']);
    expect(h.at(T0 + 300_000, [failed('bars'), failed('other')])).toEqual([]);
    expect(h.next(T0 + 300_000, [failed('bars'), failed('other')])).toBe(T0 + 600_000);
    const after = h.at(T0 + 600_000, [failed('bars'), failed('other')]);
    expect(after.map((n) => n.groupKey)).toEqual(['run_failed/bars']);
    expect(after[0]?.kind).toBe('firing');
  });

  it('a silence holds a resolve back until it expires', () => {
    const h = harness();
    h.at(T0, [failed('bars')]);
    h.at(T0 + 10_000, [failed('bars')]);
    h.silences.push({
      id: 'sil_1',
      matchers: { asset: 'bars' },
      reason: 'fixing',
      createdBy: 'test',
      createdAtMs: T0,
      expiresAtMs: T0 + 300_000,
    });
    expect(h.at(T0 + 100_000, [])).toEqual([]);
    expect(h.at(T0 + 200_000, [])).toEqual([]);
    const sent = h.at(T0 + 300_000, []);
    expect(sent.map((n) => n.kind)).toEqual(['resolved']);
  });

  it('updates what a firing alert says without notifying again', () => {
    const h = harness();
    h.at(T0, [failed('bars', 'run_1')]);
    h.at(T0 + 10_000, [failed('bars', 'run_1')]);
    expect(h.at(T0 + 20_000, [failed('bars', 'run_2')])).toEqual([]);
    expect([...h.alerts.values()][0]?.details).toEqual({ runId: 'run_2' });
  });
});
