import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { createLogger } from '../../core/index.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import type { ProjectSnapshot } from '../runtime/index.js';
import { asset, schedule } from '../sdk/index.js';
import { createPlatformAlerts } from './platform-alerts.js';

const logger = createLogger({ level: 'silent' });
// Tuesday 2024-05-07 22:00 UTC, after the XNYS close.
const NOW = Date.UTC(2024, 4, 7, 22, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

const bars = asset({
  name: 'bars',
  run: () => 1,
  tags: { freshness: '1 session', calendar: 'XNYS' },
  resources: { memoryMb: 64 },
});
const prices = asset({ name: 'prices', run: () => 1, tags: { freshness: '1 session' } });
const daily = schedule({ name: 'daily', cron: '0 18 * * *', timezone: 'UTC', select: 'bars' });
const project = {
  assets: new Map([
    ['bars', bars],
    ['prices', prices],
  ]),
  loaded: { schedules: [daily] },
} as unknown as ProjectSnapshot;

/** A finished run with one task and one attempt of `assetName`. */
async function addRun(
  meta: MetaStore,
  id: string,
  assetName: string,
  state: 'succeeded' | 'failed',
  finishedMs: number,
  usage: { error?: string; peakRssBytes?: number } = {},
): Promise<void> {
  await meta.db
    .insertInto('runs')
    .values({
      id,
      job: null,
      selection_json: '{}',
      kind: 'manual',
      priority: 0,
      state,
      created_at: iso(finishedMs - 1000),
      started_at: iso(finishedMs - 1000),
      finished_at: iso(finishedMs),
      parent_run_id: null,
      backfill_id: null,
      tags_json: '{}',
      error: null,
      tasks_total: 1,
      tasks_finished: 1,
      tasks_unsuccessful: state === 'failed' ? 1 : 0,
    })
    .execute();
  await meta.db
    .insertInto('run_tasks')
    .values({
      run_id: id,
      task_index: 0,
      asset: assetName,
      partition_key: null,
      partition_index: null,
      pool: null,
      priority: 0,
      max_attempts: 1,
      retry_json: '{}',
      state,
      attempt_count: 1,
      failed_count: state === 'failed' ? 1 : 0,
      lost_count: 0,
      upstream_pending: 0,
      current_attempt_id: `${id}_a1`,
      updated_at: iso(finishedMs),
    })
    .execute();
  await meta.db
    .insertInto('attempts')
    .values({
      id: `${id}_a1`,
      run_id: id,
      task_index: 0,
      asset: assetName,
      partition_key: null,
      attempt: 1,
      state,
      priority: 0,
      pool: null,
      not_before_ms: 0,
      enqueued_at: iso(finishedMs - 1000),
      started_at: iso(finishedMs - 1000),
      finished_at: iso(finishedMs),
      worker_id: 'w1',
      lease_expires_at_ms: null,
      exit_reason: state === 'failed' ? 'ERROR' : 'OK',
      error_message: usage.error ?? null,
      error_code: null,
      wall_seconds: 1,
      queue_seconds: 0,
      cpu_user_seconds: 0.5,
      cpu_system_seconds: 0.1,
      peak_rss_bytes: usage.peakRssBytes ?? 10_000_000,
      rows_written: 1,
      bytes_read: 0,
      bytes_written: 0,
      metadata_json: null,
    })
    .execute();
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function hook(statuses: number[]): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, bodies };
}

describe.each(backends)('alerting on $name', (backend) => {
  describe.skipIf(backend.skip)('snapshot, store and manager', () => {
    let dir: string;
    let url: string;
    let meta: MetaStore;
    beforeEach(async () => {
      dir = makeTempDir();
      url = backend.url(dir);
      meta = await openMetaStore(url);
    });
    afterEach(async () => {
      await meta.close();
      await backend.cleanup(url);
      removeDir(dir);
    });

    it('reads the state the rules need from the metadata database', async () => {
      const friday = Date.UTC(2024, 4, 3, 21, 0);
      await addRun(meta, 'r1', 'bars', 'succeeded', friday);
      await addRun(meta, 'r2', 'bars', 'failed', NOW - 60_000, {
        error: 'provider down',
        peakRssBytes: 100 * 1024 * 1024,
      });
      await addRun(meta, 'r3', 'other', 'failed', NOW - 120_000, { error: 'x' });
      await addRun(meta, 'r4', 'other', 'succeeded', NOW - 60_000);
      await meta.db
        .insertInto('workers')
        .values([
          {
            id: 'w1',
            host: 'h1',
            pid: 1,
            slots: 2,
            heartbeat_at_ms: NOW - 1000,
            started_at: iso(NOW),
          },
          {
            id: 'w2',
            host: 'h2',
            pid: 2,
            slots: 2,
            heartbeat_at_ms: NOW - 600_000,
            started_at: iso(NOW),
          },
        ])
        .execute();
      await meta.db
        .insertInto('schedule_state')
        .values({
          name: 'daily',
          last_tick_ms: Date.UTC(2024, 4, 6, 18),
          last_run_id: null,
          updated_at_ms: 0,
        })
        .execute();
      const quarantined = Array.from({ length: 5 }, (_, i) => ({
        dataset: 'bars_1d',
        import_id: 'imp',
        source_file: 'x.csv',
        line: i + 2,
        raw: 'bad',
        reason: 'bad date',
        created_at: iso(NOW - 3_600_000),
      }));
      await meta.db.insertInto('quarantine').values(quarantined).execute();
      await meta.db
        .insertInto('quarantine')
        .values({ ...quarantined[0]!, dataset: 'old', created_at: iso(NOW - 3 * 86_400_000) })
        .execute();

      const alerts = createPlatformAlerts({
        meta,
        project: () => project,
        logger,
        env: {
          MARKETLAKE_ALERT_QUARANTINE_ROWS: '3',
          MARKETLAKE_ALERT_RUN_FAILED_HOLD_MS: '60000',
        },
        attemptLeaseMs: 30_000,
        clock: () => NOW,
      });
      const report = await alerts.manager.evaluate();
      const firing = await alerts.store.listAlerts();
      expect(firing.map((a) => `${a.rule} ${JSON.stringify(a.labels)}`).sort()).toEqual([
        'asset_stale {"asset":"bars"}',
        'quarantine_rows {"dataset":"bars_1d"}',
        'resource_budget {"asset":"bars"}',
        'run_failed {"asset":"bars"}',
        'schedule_lag {"schedule":"daily"}',
        'worker_lost {"worker":"w2","host":"h2"}',
      ]);
      expect(report.firing).toBe(6);
      const failed = firing.find((a) => a.rule === 'run_failed');
      expect(failed?.summary).toBe('Run r2 failed on asset bars: provider down');
      expect(failed?.groupKey).toBe('run_failed/bars');
      expect(firing.find((a) => a.rule === 'asset_stale')?.details).toMatchObject({
        policy: '1 session of XNYS',
        lastSuccessAt: iso(friday),
        staleBefore: iso(Date.UTC(2024, 4, 6, 20)),
      });
      expect(firing.find((a) => a.rule === 'resource_budget')?.summary).toContain(
        'peak memory 100 MiB > 64 MiB',
      );
    });

    it('persists alert episodes, silences and deliveries, with notifier status', async () => {
      await addRun(meta, 'r1', 'bars', 'failed', NOW - 1000, { error: 'boom' });
      const receiver = await hook([500]);
      let now = NOW;
      const alerts = createPlatformAlerts({
        meta,
        project: () => undefined,
        logger,
        env: {
          MARKETLAKE_ALERT_WEBHOOK_URL: receiver.url,
          MARKETLAKE_ALERT_GROUP_WAIT_MS: '0',
          MARKETLAKE_ALERT_RUN_FAILED_HOLD_MS: '0',
          MARKETLAKE_ALERT_RETRY_DELAY_MS: '5',
        },
        clock: () => now,
      });
      const first = await alerts.manager.evaluate();
      expect(first.deliveries).toMatchObject([
        { notifier: 'webhook', status: 'delivered', attempts: 2 },
      ]);
      expect(receiver.bodies).toHaveLength(2);
      const status = await alerts.store.notifierStatus(alerts.notifiers, now);
      expect(status).toMatchObject([
        {
          notifier: 'webhook',
          configured: true,
          lastStatus: 'delivered',
          lastDeliveredAtMs: now,
          deliveredLast24h: 1,
          failedLast24h: 0,
        },
      ]);
      expect(status[0]?.lastError).toContain('HTTP 500');

      const silence = await alerts.store.addSilence({
        matchers: { rule: 'run_failed', asset: 'bars' },
        durationMs: 3_600_000,
        reason: 'fixing the provider',
        createdBy: 'test',
        nowMs: now,
      });
      expect(await alerts.store.activeSilences(now)).toEqual([silence]);
      await alerts.store.expireSilence(silence.id, now + 1000);
      expect(await alerts.store.activeSilences(now + 2000)).toEqual([]);
      expect(await alerts.store.listSilences({ all: true })).toHaveLength(1);
      await expect(alerts.store.expireSilence('sil_nope')).rejects.toMatchObject({
        code: 'OBSERVE_SILENCE_NOT_FOUND',
      });
      await expect(
        alerts.store.addSilence({ matchers: {}, durationMs: 1, reason: 'x', createdBy: 't' }),
      ).rejects.toMatchObject({ code: 'OBSERVE_ALERT_ARGUMENT_INVALID' });

      // The next run succeeds: the alert resolves, and its resolve is told.
      await addRun(meta, 'r2', 'bars', 'succeeded', now + 10_000);
      now += 200_000;
      const resolved = await alerts.manager.evaluate();
      expect(resolved.notifications.map((n) => n.kind)).toEqual(['resolved']);
      expect(await alerts.store.listAlerts()).toEqual([]);
      const history = await alerts.store.listAlerts({ all: true });
      expect(history).toMatchObject([
        { rule: 'run_failed', state: 'resolved', resolvedAtMs: now, notifiedState: 'resolved' },
      ]);
      expect((await alerts.store.listDeliveries()).map((d) => [d.kind, d.status])).toEqual([
        ['resolved', 'delivered'],
        ['firing', 'delivered'],
      ]);
    });
  });
});
