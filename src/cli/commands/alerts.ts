import type { Command } from 'commander';
import { UsageError } from '../../core/index.js';
import { deliverWithRetry, parseDurationMs, testMessage } from '../../observe/index.js';
import {
  alertingConfig,
  alertView,
  AlertsStore,
  deliveryView,
  notifierStatusView,
  silenceView,
} from '../../pipelines/index.js';
import { withContext, type CliContext, type GlobalFlags } from '../context.js';
import { formatOf, printJson, printTable } from '../output.js';
import { collectPairs, parseInteger } from '../parse.js';

function configOf(ctx: CliContext) {
  const c = ctx.loaded.config;
  return alertingConfig({ env: process.env, secrets: c.secrets, attemptLeaseMs: c.attemptLeaseMs });
}

const short = (iso: string | null): string =>
  iso === null ? '' : iso.replace('T', ' ').slice(0, 19);

/** `marketlake alerts`: firing alerts and history, silences, notifier health and a test send. */
export function alertsCommand(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('firing alerts (--all: every alert, resolved too); see also alerts silence, test')
    .option('--all', 'history: every alert episode, newest first')
    .option('--rule <rule>', 'only this rule (run_failed, asset_stale, check_failed, ...)')
    .option('--limit <n>', 'at most n alerts', '200')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
Rules: run_failed, asset_stale, check_failed, worker_lost, schedule_lag, resource_budget,
quarantine_rows. Notifiers: MARKETLAKE_ALERT_WEBHOOK_URL, MARKETLAKE_ALERT_SLACK_URL,
MARKETLAKE_ALERT_SMTP_URL with MARKETLAKE_ALERT_EMAIL_TO (docs/observability.md).

Examples:
  $ marketlake alerts
  $ marketlake alerts --all --json
  $ marketlake alerts silence --rule asset_stale --asset bars_1d --for 2h --reason "vendor late"
  $ marketlake alerts test`,
    )
    .action(
      async (
        opts: { all?: boolean; rule?: string; limit: string; json?: boolean },
        cmd: Command,
      ) => {
        const limit = parseInteger(opts.limit, '--limit', 1);
        await withContext(cmd.optsWithGlobals<GlobalFlags>(), async (ctx) => {
          const store = new AlertsStore(ctx.store);
          const list = await store.listAlerts({
            all: opts.all === true,
            limit,
            ...(opts.rule !== undefined ? { rule: opts.rule } : {}),
          });
          if (formatOf(opts) === 'json') return printJson(list.map(alertView));
          printTable(
            list.map(alertView).map((a) => ({
              started: short(a.startedAt),
              state: a.state,
              severity: a.severity,
              rule: a.rule,
              summary: a.summary,
              ...(opts.all ? { resolved: short(a.resolvedAt) } : {}),
            })),
            ['started', 'state', 'severity', 'rule', 'summary', ...(opts.all ? ['resolved'] : [])],
          );
        });
      },
    );

  alerts
    .command('silence')
    .description('stop notifying alerts that match until the silence expires')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake alerts silence --rule asset_stale --asset 'krx_*' --for 2h --reason "KRX vendor late"
  $ marketlake alerts silence --match check=ohlc --for 1d --reason "known bad prints" --json`,
    )
    .option('--rule <rule>', 'alerts of this rule (* is a wildcard)')
    .option('--asset <name>', 'alerts about this asset (* is a wildcard)')
    .option(
      '--match <label=value>',
      'any other label, e.g. --match check=ohlc (repeatable)',
      collectPairs('--match'),
    )
    .requiredOption('--for <duration>', 'how long: 30m, 2h, 1d, 1h30m')
    .requiredOption('--reason <text>', 'why (shown with the silence)')
    .option('--json', 'JSON output')
    .action(
      async (
        opts: {
          rule?: string;
          asset?: string;
          match?: Record<string, string>;
          for: string;
          reason: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const matchers: Record<string, string> = {
          ...(opts.match ?? {}),
          ...(opts.rule !== undefined ? { rule: opts.rule } : {}),
          ...(opts.asset !== undefined ? { asset: opts.asset } : {}),
        };
        if (Object.keys(matchers).length === 0)
          throw new UsageError('Name what to silence: --rule, --asset or --match label=value.');
        const durationMs = parseDurationMs(opts.for, '--for');
        await withContext(cmd.optsWithGlobals<GlobalFlags>(), async (ctx) => {
          const json = cmd.optsWithGlobals<{ json?: boolean }>().json === true;
          const silence = await new AlertsStore(ctx.store).addSilence({
            matchers,
            durationMs,
            reason: opts.reason,
            createdBy: `cli:${process.env['USER'] ?? 'unknown'}`,
          });
          if (json) return printJson(silenceView(silence));
          process.stdout.write(
            `${silence.id} silences ${JSON.stringify(silence.matchers)} until ${new Date(silence.expiresAtMs).toISOString()}\n`,
          );
        });
      },
    );

  alerts
    .command('silences')
    .description('silences in force (--all: expired too)')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake alerts silences
  $ marketlake alerts silences --all --json`,
    )
    .option('--all', 'expired silences too')
    .option('--json', 'JSON output')
    .action(async (_opts: unknown, cmd: Command) => {
      // --all and --json of `alerts` itself are parsed first: read them merged.
      const opts = cmd.optsWithGlobals<GlobalFlags & { all?: boolean; json?: boolean }>();
      await withContext(opts, async (ctx) => {
        const now = Date.now();
        const list = await new AlertsStore(ctx.store).listSilences({
          all: opts.all === true,
          nowMs: now,
        });
        const views = list.map((s) => silenceView(s, now));
        if (opts.json) return printJson(views);
        printTable(
          views.map((s) => ({
            id: s.id,
            matchers: Object.entries(s.matchers)
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
            expires: short(s.expiresAt),
            active: s.active,
            reason: s.reason,
            by: s.createdBy,
          })),
          ['id', 'matchers', 'expires', 'active', 'reason', 'by'],
        );
      });
    });

  alerts
    .command('unsilence')
    .description('end a silence now')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake alerts unsilence sil_0mwwq471u3237d763c650`,
    )
    .argument('<id>', 'silence id (marketlake alerts silences)')
    .option('--json', 'JSON output')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalFlags & { json?: boolean }>();
      await withContext(opts, async (ctx) => {
        const silence = await new AlertsStore(ctx.store).expireSilence(id);
        if (opts.json) return printJson(silenceView(silence));
        process.stdout.write(`${silence.id} ended\n`);
      });
    });

  alerts
    .command('notifiers')
    .description('configured notifiers and their delivery health, with the latest deliveries')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake alerts notifiers
  $ MARKETLAKE_ALERT_WEBHOOK_URL=http://127.0.0.1:9000/ marketlake alerts notifiers --json`,
    )
    .option('--json', 'JSON output')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalFlags & { json?: boolean }>();
      await withContext(opts, async (ctx) => {
        const store = new AlertsStore(ctx.store);
        const [status, deliveries] = await Promise.all([
          store.notifierStatus(configOf(ctx).notifiers),
          store.listDeliveries({ limit: 20 }),
        ]);
        const out = {
          notifiers: status.map(notifierStatusView),
          deliveries: deliveries.map(deliveryView),
        };
        if (opts.json) return printJson(out);
        if (out.notifiers.length === 0)
          process.stdout.write(
            'No notifier is configured: set MARKETLAKE_ALERT_WEBHOOK_URL, _SLACK_URL or _SMTP_URL.\n',
          );
        else
          printTable(
            out.notifiers.map((n) => ({
              notifier: n.notifier,
              target: n.target ?? '(not configured here)',
              last: n.lastStatus ?? '',
              delivered: short(n.lastDeliveredAt),
              'ok 24h': n.deliveredLast24h,
              'failed 24h': n.failedLast24h,
              error: n.lastError ?? '',
            })),
          );
      });
    });

  alerts
    .command('test')
    .description('send a test notification to every configured notifier and report each delivery')
    .addHelpText(
      'after',
      `
Examples:
  $ MARKETLAKE_ALERT_SLACK_URL=https://chat.example/hooks/abc marketlake alerts test
  $ marketlake alerts test --json`,
    )
    .option('--json', 'JSON output')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalFlags & { json?: boolean }>();
      await withContext(opts, async (ctx) => {
        const { notifiers, settings } = configOf(ctx);
        if (notifiers.length === 0)
          throw new UsageError(
            'No notifier is configured: set MARKETLAKE_ALERT_WEBHOOK_URL, MARKETLAKE_ALERT_SLACK_URL or MARKETLAKE_ALERT_SMTP_URL (with MARKETLAKE_ALERT_EMAIL_TO).',
          );
        const message = testMessage(Date.now());
        const results = await Promise.all(
          notifiers.map(async (n) => ({
            target: n.target,
            ...(await deliverWithRetry(n, message, { ...settings, deliveryAttempts: 1 })),
          })),
        );
        if (results.some((r) => r.status !== 'delivered')) process.exitCode = 1;
        const rows = results.map((r) => ({
          notifier: r.notifier,
          target: r.target,
          status: r.status,
          error: r.error ?? null,
        }));
        if (formatOf(opts) === 'json') return printJson(rows);
        printTable(rows, ['notifier', 'target', 'status', 'error']);
      });
    });
}
