import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/dist.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';
import { killStarted, startUp, stopWith } from './helpers/up-process.js';

/*
 * Alerting as a newcomer meets it: the platform up with MARKETLAKE_ALERT_WEBHOOK_URL pointing at
 * a receiver, a pipeline that fails, and the webhook told "run failed" with the asset's name;
 * then the same alert over REST and the CLI, a silence, and notifier delivery health.
 */

const PIPELINE = `
import { asset } from 'marketlake';
export const broken_feed = asset({
  name: 'broken_feed',
  retry: { maxAttempts: 1 },
  run: () => { throw new Error('vendor returned an empty file'); },
});
`;

interface Hook {
  url: string;
  bodies: Record<string, unknown>[];
  server: Server;
}

let project: string;
let home: string;
let hook: Hook;

async function receiver(): Promise<Hook> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      bodies.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    bodies,
    server,
  };
}

beforeEach(async () => {
  project = makeTempDir();
  home = path.join(project, 'home');
  mkdirSync(path.join(project, 'pipelines'));
  writeFileSync(path.join(project, 'pipelines', 'feed.ts'), PIPELINE);
  hook = await receiver();
});

afterEach(async () => {
  killStarted();
  await new Promise((r) => hook.server.close(r));
  removeDir(project);
});

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('alerts with the platform up', () => {
  it('tells the webhook when a pipeline fails, and shows the alert over REST and the CLI', async () => {
    const env = {
      MARKETLAKE_ALERT_WEBHOOK_URL: hook.url,
      MARKETLAKE_ALERT_GROUP_WAIT_MS: '200',
    };
    const up = await startUp(project, home, env);
    try {
      expect(up.output().stdout).toMatch(
        / {2}alerts: {3}webhook http:\/\/127\.0\.0\.1:\d+\/… \(marketlake alerts\)/,
      );
      const posted = await fetch(`${up.url}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assets: ['broken_feed'] }),
      });
      expect(posted.status).toBe(201);
      const runId = String(((await posted.json()) as { id: string }).id);

      const body = await until('the webhook', () => hook.bodies[0]);
      expect(body).toMatchObject({
        source: 'marketlake',
        kind: 'firing',
        groupKey: 'run_failed/broken_feed',
        title: '[FIRING:1] run_failed/broken_feed',
      });
      const alerts = body['alerts'] as { rule: string; labels: unknown; summary: string }[];
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ rule: 'run_failed', labels: { asset: 'broken_feed' } });
      expect(alerts[0]?.summary).toBe(
        `Run ${runId} failed on asset broken_feed: vendor returned an empty file`,
      );

      const firing = (await (await fetch(`${up.url}/api/alerts`)).json()) as {
        alerts: { rule: string; state: string; notified: string }[];
      };
      expect(firing.alerts).toMatchObject([
        { rule: 'run_failed', state: 'firing', notified: 'firing' },
      ]);
      const health = (await (await fetch(`${up.url}/api/alerts/notifiers`)).json()) as {
        notifiers: unknown[];
        deliveries: { status: string; kind: string }[];
      };
      expect(health.notifiers).toMatchObject([
        { notifier: 'webhook', configured: true, lastStatus: 'delivered', deliveredLast24h: 1 },
      ]);
      expect(health.deliveries).toMatchObject([{ kind: 'firing', status: 'delivered' }]);

      const silenced = await fetch(`${up.url}/api/alerts/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ matchers: { asset: 'broken_*' }, for: '1h', reason: 'vendor fix' }),
      });
      expect(silenced.status).toBe(201);
      const silence = (await silenced.json()) as { id: string; active: boolean };
      expect(silence.active).toBe(true);
      const bad = await fetch(`${up.url}/api/alerts/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ matchers: { asset: 'x' }, for: 'a while', reason: 'r' }),
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe(
        'OBSERVE_ALERT_ARGUMENT_INVALID',
      );
      const ended = await fetch(`${up.url}/api/alerts/silences/${silence.id}`, {
        method: 'DELETE',
      });
      expect(((await ended.json()) as { active: boolean }).active).toBe(false);
      const missing = await fetch(`${up.url}/api/alerts/silences/sil_nope`, { method: 'DELETE' });
      expect(missing.status).toBe(404);

      const history = (await (await fetch(`${up.url}/api/alerts/history?limit=5`)).json()) as {
        alerts: { rule: string; startedAt: string }[];
      };
      expect(history.alerts.map((a) => a.rule)).toEqual(['run_failed']);
      expect((await fetch(`${up.url}/api/alerts/history?limit=x`)).status).toBe(400);
      const tested = (await (
        await fetch(`${up.url}/api/alerts/test`, { method: 'POST' })
      ).json()) as { notifiers: { notifier: string; status: string }[] };
      expect(tested.notifiers).toMatchObject([{ notifier: 'webhook', status: 'delivered' }]);
      expect(hook.bodies.at(-1)).toMatchObject({ kind: 'test' });

      const cli = await runCli(['alerts', '--json', '--project', project], {
        env: { MARKETLAKE_HOME: home },
      });
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject([
        { rule: 'run_failed', labels: { asset: 'broken_feed' }, severity: 'critical' },
      ]);
      const test = await runCli(['alerts', 'test', '--project', project], {
        env: { MARKETLAKE_HOME: home, MARKETLAKE_ALERT_WEBHOOK_URL: hook.url },
      });
      expect(test.code, test.stderr).toBe(0);
      expect(test.stdout).toMatch(/webhook +http:\/\/127\.0\.0\.1:\d+\/… +delivered/);
      expect(hook.bodies.at(-1)).toMatchObject({ kind: 'test' });
      expect(hook.bodies.filter((b) => b['kind'] === 'firing')).toHaveLength(1);
      await stopWith(up, 'SIGTERM');
    } finally {
      killStarted();
    }
  });
});
