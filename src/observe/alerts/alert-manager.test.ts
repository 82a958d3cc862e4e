import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/index.js';
import { AlertManager } from './alert-manager.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './alert-settings.js';
import { emptySnapshot, type AlertSnapshot } from './alert-snapshot.js';
import { MemoryAlertStore } from './memory-alert-store.js';
import { slackNotifier, webhookNotifier } from './notifiers/http-notifiers.js';

const T0 = Date.UTC(2024, 4, 6, 14, 0, 0);
const logger = createLogger({ level: 'silent' });

/** A local HTTP receiver answering each POST with the next status of `statuses` (then 200). */
interface Receiver {
  url: string;
  bodies: unknown[];
  close(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function receiver(statuses: number[] = []): Promise<Receiver> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      const status = statuses.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function failedSnapshot(nowMs: number, failed = true): AlertSnapshot {
  return {
    ...emptySnapshot(nowMs),
    assetRuns: [
      {
        asset: 'bars',
        lastSuccessMs: failed ? undefined : nowMs,
        lastFailure: {
          runId: 'run_7',
          job: null,
          kind: 'manual',
          error: 'provider down',
          failedPartitions: 1,
          finishedAtMs: T0,
        },
      },
    ],
  };
}

function manager(
  urls: { webhook?: string; slack?: string },
  state: { now: number; failed: boolean },
  settings: Partial<AlertSettings> = {},
) {
  const store = new MemoryAlertStore();
  const notifiers = [
    ...(urls.webhook ? [webhookNotifier(urls.webhook)] : []),
    ...(urls.slack ? [slackNotifier(urls.slack)] : []),
  ];
  const m = new AlertManager({
    store,
    snapshot: (nowMs) => Promise.resolve(failedSnapshot(nowMs, state.failed)),
    notifiers,
    settings: {
      ...DEFAULT_ALERT_SETTINGS,
      runFailedHoldMs: 0,
      retryInitialDelayMs: 5,
      retryMaxDelayMs: 20,
      deliveryAttempts: 3,
      ...settings,
    },
    logger,
    clock: () => state.now,
  });
  return { m, store };
}

describe('AlertManager with local receivers', () => {
  it('delivers a firing notification as JSON and a resolve after it, then stays quiet', async () => {
    const hook = await receiver();
    const state = { now: T0, failed: true };
    const { m, store } = manager({ webhook: hook.url }, state);
    expect((await m.evaluate()).notifications).toEqual([]);
    state.now = T0 + DEFAULT_ALERT_SETTINGS.groupWaitMs;
    const fired = await m.evaluate();
    expect(fired.deliveries).toEqual([
      { notifier: 'webhook', status: 'delivered', attempts: 1, error: undefined },
    ]);
    expect(fired.firing).toBe(1);
    expect(hook.bodies).toHaveLength(1);
    expect(hook.bodies[0]).toMatchObject({
      source: 'marketlake',
      version: 1,
      kind: 'firing',
      groupKey: 'run_failed/bars',
      title: '[FIRING:1] run_failed/bars',
      alerts: [
        {
          rule: 'run_failed',
          state: 'firing',
          severity: 'critical',
          labels: { asset: 'bars' },
          summary: 'Run run_7 failed on asset bars: provider down',
          details: { runId: 'run_7' },
        },
      ],
    });
    state.now += 60_000;
    expect((await m.evaluate()).notifications).toEqual([]); // deduplicated
    state.failed = false;
    state.now += 1000;
    await m.evaluate();
    state.now += DEFAULT_ALERT_SETTINGS.groupIntervalMs;
    const resolved = await m.evaluate();
    expect(resolved.notifications.map((n) => n.kind)).toEqual(['resolved']);
    expect(hook.bodies[1]).toMatchObject({
      kind: 'resolved',
      alerts: [{ state: 'resolved', labels: { asset: 'bars' } }],
    });
    expect(resolved.firing).toBe(0);
    expect([...store.deliveries.values()].map((d) => [d.kind, d.status])).toEqual([
      ['firing', 'delivered'],
      ['resolved', 'delivered'],
    ]);
  });

  it('sends Slack-compatible {"text"} bodies', async () => {
    const slack = await receiver();
    const state = { now: T0, failed: true };
    const { m } = manager({ slack: slack.url }, state, { groupWaitMs: 0 });
    await m.evaluate();
    expect(slack.bodies).toHaveLength(1);
    const body = slack.bodies[0] as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['text']);
    expect(body['text']).toBe(
      'marketlake alert [FIRING:1] run_failed/bars\n- CRITICAL run_failed: Run run_7 failed on asset bars: provider down (asset=bars)',
    );
  });

  it('retries a 500 and records the delivery with its attempts', async () => {
    const hook = await receiver([500, 503]);
    const state = { now: T0, failed: true };
    const { m, store } = manager({ webhook: hook.url }, state, { groupWaitMs: 0 });
    const report = await m.evaluate();
    expect(report.deliveries).toEqual([
      {
        notifier: 'webhook',
        status: 'delivered',
        attempts: 3,
        error: expect.stringContaining('HTTP 503') as string,
      },
    ]);
    expect(hook.bodies).toHaveLength(3);
    // The store saw the delivery while it was retrying, with each failure.
    expect(store.deliveryLog.map((d) => [d.status, d.attempts])).toEqual([
      ['sending', 0],
      ['sending', 1],
      ['sending', 2],
      ['delivered', 3],
    ]);
    expect(store.deliveryLog[1]?.error).toContain('HTTP 500');
  });

  it('keeps a failed delivery visible after its retries, and does not retry a 4xx', async () => {
    const down = await receiver([500, 500, 500]);
    const wrong = await receiver([404]);
    const state = { now: T0, failed: true };
    const { m, store } = manager({ webhook: down.url, slack: wrong.url }, state, {
      groupWaitMs: 0,
    });
    const report = await m.evaluate();
    expect(report.deliveries.map((d) => [d.notifier, d.status, d.attempts])).toEqual([
      ['webhook', 'failed', 3],
      ['slack', 'failed', 1],
    ]);
    const saved = [...store.deliveries.values()];
    expect(saved.map((d) => d.status)).toEqual(['failed', 'failed']);
    expect(saved[0]?.error).toContain('HTTP 500');
    expect(saved[1]?.error).toMatch(/HTTP 404 .*Check the URL/);
  });

  it('reports an unreachable receiver as a failed delivery', async () => {
    const gone = await receiver();
    await gone.close();
    const state = { now: T0, failed: true };
    const { m } = manager({ webhook: gone.url }, state, { groupWaitMs: 0 });
    const report = await m.evaluate();
    expect(report.deliveries[0]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(report.deliveries[0]?.error).toContain('could not reach http://127.0.0.1:');
  });

  it('sends a test message to every notifier', async () => {
    const hook = await receiver();
    const slack = await receiver();
    const { m } = manager({ webhook: hook.url, slack: slack.url }, { now: T0, failed: false });
    const outcomes = await m.sendTest();
    expect(outcomes.map((o) => [o.notifier, o.status])).toEqual([
      ['webhook', 'delivered'],
      ['slack', 'delivered'],
    ]);
    expect(hook.bodies[0]).toMatchObject({ kind: 'test', title: '[TEST] marketlake alerting' });
    expect((slack.bodies[0] as { text: string }).text).toContain('test notification');
  });

  it('merges evaluation requests and stops cleanly', async () => {
    const hook = await receiver();
    const state = { now: T0, failed: true };
    const { m } = manager({ webhook: hook.url }, state, { groupWaitMs: 0 });
    m.requestEvaluation();
    m.requestEvaluation();
    await m.stop();
    expect(hook.bodies).toHaveLength(1);
    expect(m.lastEvaluation?.firing).toBe(1);
  });
});
