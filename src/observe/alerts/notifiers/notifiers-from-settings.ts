/** The notifiers the settings turn on, in a stable order. */
import type { NotifierSettings } from '../alert-settings.js';
import { emailNotifier } from './email-notifier.js';
import { slackNotifier, webhookNotifier } from './http-notifiers.js';
import type { Notifier } from './notifier.js';

/** Webhook, Slack and email notifiers for the addresses that are set. */
export function notifiersFrom(settings: NotifierSettings, timeoutMs?: number): Notifier[] {
  const out: Notifier[] = [];
  if (settings.webhookUrl !== undefined) out.push(webhookNotifier(settings.webhookUrl));
  if (settings.slackUrl !== undefined) out.push(slackNotifier(settings.slackUrl));
  if (settings.smtpUrl !== undefined && settings.emailTo !== undefined)
    out.push(
      emailNotifier({
        smtpUrl: settings.smtpUrl,
        to: settings.emailTo,
        ...(settings.emailFrom !== undefined ? { from: settings.emailFrom } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      }),
    );
  return out;
}
