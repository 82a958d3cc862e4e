/**
 * Webhook notifiers: the generic one POSTs the whole message as JSON (for any receiver that
 * parses it), the Slack-compatible one POSTs `{"text": ...}` (Slack, Mattermost, Rocket.Chat and
 * most chat tools accept it). A 5xx, a 429 or a network error is retryable; another 4xx is not
 * (the address or the payload is wrong, and retrying would not help).
 */
import { messageOf } from '../../../core/index.js';
import { ObserveNotifierDeliveryError } from '../../errors.js';
import { redactUrl, type AlertMessage, type Notifier } from './notifier.js';

async function post(name: string, url: string, body: unknown, signal: AbortSignal): Promise<void> {
  const target = redactUrl(url);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'marketlake-alerts' },
      body: JSON.stringify(body),
      signal,
    });
  } catch (err) {
    throw new ObserveNotifierDeliveryError(
      `The ${name} notifier could not reach ${target}: ${messageOf(err)}. Check the URL and that the receiver runs.`,
      { retryable: true, cause: err, details: { notifier: name, target } },
    );
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return;
  const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
  throw new ObserveNotifierDeliveryError(
    `The ${name} notifier got HTTP ${res.status} from ${target}${text ? `: ${text.slice(0, 200)}` : ''}.${retryable ? '' : ' Check the URL (and any token in it) and what the receiver accepts.'}`,
    { retryable, details: { notifier: name, target, status: res.status } },
  );
}

/** The generic webhook: POST of the message as JSON. */
export function webhookNotifier(url: string): Notifier {
  return {
    name: 'webhook',
    target: redactUrl(url),
    send: (message: AlertMessage, signal: AbortSignal) =>
      post('webhook', url, { source: 'marketlake', version: 1, ...message }, signal),
  };
}

/** A Slack-compatible incoming webhook: POST of `{"text": ...}`. */
export function slackNotifier(url: string): Notifier {
  return {
    name: 'slack',
    target: redactUrl(url),
    send: (message: AlertMessage, signal: AbortSignal) =>
      post('slack', url, { text: message.text }, signal),
  };
}
