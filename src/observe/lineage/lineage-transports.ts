/**
 * Where OpenLineage events go: an HTTP endpoint (Marquez-compatible: `POST /api/v1/lineage` with
 * the event as JSON; retried with exponential backoff on network errors, 429 and 5xx), or a file
 * of JSON lines (one event per line, appended in order).
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { messageOf } from '../../core/index.js';
import { ObserveLineageConfigInvalidError, ObserveLineageDeliveryError } from '../errors.js';
import type { RunEvent } from './openlineage-spec.js';

/** A destination of lineage events. */
export interface LineageTransport {
  /** Where events go, for messages (`http://marquez:5000/api/v1/lineage`, a file path). */
  readonly target: string;
  /** Delivers one event; rejects with `ObserveLineageDeliveryError` when it cannot. */
  send(event: RunEvent): Promise<void>;
}

/** Options of `httpLineageTransport`. */
export interface HttpLineageOptions {
  /** Base URL of the server (`http://marquez:5000`) or the full endpoint URL. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Timeout of one request (default 5,000 ms). */
  readonly timeoutMs?: number;
  /** Attempts per event, the first included (default 4). */
  readonly attempts?: number;
  /** First backoff delay (default 250 ms), doubled per retry up to 5 s. */
  readonly retryDelayMs?: number;
  /** The fetch to use (tests). */
  readonly fetch?: typeof globalThis.fetch;
}

/** The endpoint URL of a lineage server: `/api/v1/lineage` appended to a bare base URL. */
export function lineageEndpoint(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw new ObserveLineageConfigInvalidError(
      `MARKETLAKE_LINEAGE_URL "${url}" is not a URL. Use the base URL of a Marquez (or other OpenLineage) server, e.g. http://127.0.0.1:5000.`,
      { cause: err, details: { url } },
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ObserveLineageConfigInvalidError(
      `MARKETLAKE_LINEAGE_URL "${url}" uses ${u.protocol}; use an http:// or https:// URL such as http://127.0.0.1:5000.`,
      { details: { url } },
    );
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/api/v1/lineage';
  return u.toString();
}

/** Sends events to an OpenLineage HTTP endpoint, retrying transient failures. */
export function httpLineageTransport(options: HttpLineageOptions): LineageTransport {
  const target = lineageEndpoint(options.url);
  const doFetch = options.fetch ?? globalThis.fetch;
  const attempts = Math.max(1, options.attempts ?? 4);
  const policy = retry(
    handleWhen((err) => !(err instanceof ObserveLineageDeliveryError) || err.retryable),
    {
      maxAttempts: attempts - 1,
      backoff: new ExponentialBackoff({
        initialDelay: options.retryDelayMs ?? 250,
        maxDelay: 5_000,
      }),
    },
  );
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey !== undefined) headers['authorization'] = `Bearer ${options.apiKey}`;
  const sendOnce = async (body: string): Promise<void> => {
    let res: Response;
    try {
      res = await doFetch(target, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
    } catch (err) {
      throw new ObserveLineageDeliveryError(
        `Lineage endpoint ${target} did not answer: ${messageOf(err)}.`,
        { cause: err, retryable: true, details: { target } },
      );
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return;
    const retryable = res.status === 429 || res.status >= 500;
    throw new ObserveLineageDeliveryError(
      `Lineage endpoint ${target} answered ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}.${retryable ? '' : ' The server refused the event; check the URL (it should accept OpenLineage run events).'}`,
      { retryable, details: { target, status: res.status } },
    );
  };
  return {
    target,
    send: async (event) => {
      const body = JSON.stringify(event);
      await policy.execute(() => sendOnce(body));
    },
  };
}

/** Appends events as JSON lines to `file` (created with its folder). */
export async function fileLineageTransport(file: string): Promise<LineageTransport> {
  const target = path.resolve(file);
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await appendFile(target, '');
  } catch (err) {
    throw new ObserveLineageConfigInvalidError(
      `MARKETLAKE_LINEAGE_FILE "${file}" cannot be written: ${messageOf(err)}. Point it at a file in a writable folder.`,
      { cause: err, details: { file: target } },
    );
  }
  // Appends in order: one line per event, never interleaved.
  let tail: Promise<void> = Promise.resolve();
  return {
    target,
    send: (event) => {
      const line = `${JSON.stringify(event)}\n`;
      const next = tail.then(async () => {
        try {
          await appendFile(target, line);
        } catch (err) {
          throw new ObserveLineageDeliveryError(
            `Cannot append to the lineage file ${target}: ${messageOf(err)}.`,
            { cause: err, details: { file: target } },
          );
        }
      });
      tail = next.catch(() => undefined);
      return next;
    },
  };
}
