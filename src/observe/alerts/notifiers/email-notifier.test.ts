import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS } from '../alert-settings.js';
import { deliverWithRetry } from './deliver.js';
import { emailNotifier } from './email-notifier.js';
import { groupMessage } from './notifier.js';

interface Mail {
  from: string;
  to: string[];
  data: string;
  user: string | undefined;
}

const servers: SMTPServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A local SMTP server that accepts user/secret and refuses mail to refused@... with 550. */
async function smtpServer(): Promise<{ port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'user' && auth.password === 'secret') cb(null, { user: 'user' });
      else cb(new Error('bad login'));
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('refused@')) {
        const err = new Error('mailbox unavailable') as Error & { responseCode: number };
        err.responseCode = 550;
        cb(err);
      } else cb();
    },
    onData(stream, session, cb) {
      let data = '';
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => (data += d));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

const T0 = Date.UTC(2024, 4, 6, 14, 0, 0);
const message = groupMessage({
  groupKey: 'check_failed/bars_1d',
  kind: 'firing',
  atMs: T0,
  resolved: [],
  firing: [
    {
      id: 'a1',
      fingerprint: 'f1',
      rule: 'check_failed',
      groupKey: 'check_failed/bars_1d',
      labels: { asset: 'bars_1d', check: 'ohlc' },
      state: 'firing',
      severity: 'critical',
      summary: 'Check ohlc of bars_1d failed: 3 failing row(s)',
      details: {},
      startedAtMs: T0,
      updatedAtMs: T0,
      resolvedAtMs: undefined,
      notifiedState: undefined,
      lastNotifiedAtMs: undefined,
    },
  ],
});

const settings = { ...DEFAULT_ALERT_SETTINGS, retryInitialDelayMs: 5, deliveryAttempts: 2 };

describe('email notifier against a local SMTP server', () => {
  it('logs in and sends the title as subject and the alerts as text', async () => {
    const smtp = await smtpServer();
    const notifier = emailNotifier({
      smtpUrl: `smtp://user:secret@127.0.0.1:${smtp.port}`,
      to: 'ops@example.com',
      from: 'alerts@example.com',
    });
    expect(notifier.target).toBe(`smtp://127.0.0.1:${smtp.port} -> ops@example.com`);
    const outcome = await deliverWithRetry(notifier, message, settings);
    expect(outcome).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail).toMatchObject({
      from: 'alerts@example.com',
      to: ['ops@example.com'],
      user: 'user',
    });
    expect(mail.data).toContain('Subject: [FIRING:1] check_failed/bars_1d');
    const body = mail.data.replace(/=\r\n/g, '').replace(/=3D/g, '='); // quoted-printable
    expect(body).toContain(
      '- CRITICAL check_failed: Check ohlc of bars_1d failed: 3 failing row(s) (asset=bars_1d check=ohlc)',
    );
  });

  it('does not retry a refused recipient (SMTP 5xx), and says so', async () => {
    const smtp = await smtpServer();
    const notifier = emailNotifier({
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      to: 'refused@example.com',
    });
    const outcome = await deliverWithRetry(notifier, message, settings);
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome.error).toContain('mailbox unavailable');
    expect(smtp.mails).toEqual([]);
  });

  it('retries when the server cannot be reached', async () => {
    const smtp = await smtpServer();
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    const notifier = emailNotifier({
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      to: 'ops@example.com',
      timeoutMs: 2000,
    });
    const outcome = await deliverWithRetry(notifier, message, settings);
    expect(outcome).toMatchObject({ status: 'failed', attempts: 2 });
    expect(outcome.error).toMatch(/ECONNREFUSED|connect/i);
  });
});
