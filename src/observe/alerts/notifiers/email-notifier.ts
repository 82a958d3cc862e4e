/**
 * Email over SMTP (nodemailer): the title as subject, the text as body. An SMTP 5xx answer (a
 * refused address or login) is not retried; connection problems and 4xx answers (try later) are.
 */
import type { Transporter } from 'nodemailer';
import { messageOf } from '../../../core/index.js';
import { ObserveNotifierDeliveryError } from '../../errors.js';
import { redactUrl, type AlertMessage, type Notifier } from './notifier.js';

/** Where and how alert mail is sent. */
export interface EmailNotifierOptions {
  /** smtp://user:pass@host:port or smtps://... */
  readonly smtpUrl: string;
  /** Recipients, comma-separated. */
  readonly to: string;
  /** Sender (default marketlake@<host of the SMTP URL>). */
  readonly from?: string;
  /** Connection and greeting time limit. */
  readonly timeoutMs?: number;
}

/** An SMTP notifier. */
export function emailNotifier(options: EmailNotifierOptions): Notifier {
  const url = new URL(options.smtpUrl);
  const target = `${redactUrl(options.smtpUrl)} -> ${options.to}`;
  const timeout = options.timeoutMs ?? 10_000;
  // nodemailer is loaded on first use: every process that imports the SDK (attempt workers
  // included) would otherwise carry it in memory.
  let transport: Promise<Transporter> | undefined;
  const settings = {
    host: url.hostname,
    port: url.port === '' ? (url.protocol === 'smtps:' ? 465 : 587) : Number(url.port),
    secure: url.protocol === 'smtps:',
    ...(url.username !== ''
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    // A relay on a separated network often has a self-signed certificate: `?tls=insecure` accepts it.
    tls: { rejectUnauthorized: url.searchParams.get('tls') !== 'insecure' },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  };
  const connect = (): Promise<Transporter> =>
    (transport ??= import('nodemailer').then((m) => m.default.createTransport(settings)));
  const from = options.from ?? `marketlake@${url.hostname}`;
  return {
    name: 'email',
    target,
    async send(message: AlertMessage, signal: AbortSignal): Promise<void> {
      if (signal.aborted) throw signal.reason;
      try {
        await (
          await connect()
        ).sendMail({
          from,
          to: options.to,
          subject: message.title,
          text: message.text,
        });
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        const retryable = code === undefined || code < 500;
        throw new ObserveNotifierDeliveryError(
          `The email notifier could not send through ${redactUrl(options.smtpUrl)}: ${messageOf(err)}.${retryable ? '' : ' Check MARKETLAKE_ALERT_EMAIL_TO/_FROM and the SMTP account.'}`,
          {
            retryable,
            cause: err,
            details: { notifier: 'email', target, responseCode: code ?? null },
          },
        );
      }
    },
  };
}
