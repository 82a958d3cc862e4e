/**
 * Outbound HTTP requests as the platform's HTTP paths report them (the connectors' HttpClient and
 * `ctx.fetch`), published on a process-wide diagnostics channel. Attempt workers subscribe to
 * record an attempt's requests for its trace; with no subscriber, reporting costs one check. A
 * diagnostics channel is global by name, so a pipeline file evaluated against another copy of the
 * SDK modules (the worker loads the SDK through jiti) still reaches the worker's subscriber.
 */
import diagnostics from 'node:diagnostics_channel';

/** Name of the diagnostics channel the requests are published on. */
export const OUTBOUND_HTTP_CHANNEL = 'marketlake:outbound-http';

/** One finished outbound HTTP request: where it went, never the query string or credentials. */
export interface OutboundHttpRequest {
  /** Method, upper case. */
  readonly method: string;
  /** `http` or `https`. */
  readonly scheme: string;
  /** Host name (IPv6 addresses without brackets). */
  readonly host: string;
  /** Port, the scheme's default when the URL names none. */
  readonly port: number;
  /** Path, without the query string and fragment. */
  readonly path: string;
  /** Response status; absent when no response arrived. */
  readonly status?: number;
  /** Start and end in epoch ms (the end: the body read, or the headers for `ctx.fetch`). */
  readonly startMs: number;
  readonly endMs: number;
  /** Tries of the same request before this one: 0 for the first, 1 for the first retry. */
  readonly resendCount: number;
  /** Why it failed, in few values: the HTTP status (>= 400), `timeout`, a system error code. */
  readonly errorType?: string;
  /** The failure's message, secrets redacted by the reporter. */
  readonly error?: string;
  /** The connector that made it, when a connector did. */
  readonly source?: string;
}

/** What a reporter knows of a request besides its URL. */
export type OutboundHttpOutcome = Omit<OutboundHttpRequest, 'scheme' | 'host' | 'port' | 'path'>;

const channel = diagnostics.channel(OUTBOUND_HTTP_CHANNEL);

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };

/** Reports a finished request to the subscribers (none: nothing is done, the URL not parsed). */
export function reportOutboundHttp(url: string | URL, outcome: OutboundHttpOutcome): void {
  if (!channel.hasSubscribers) return;
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return; // fetch refused it before any request went out
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  const request: OutboundHttpRequest = {
    ...outcome,
    method: outcome.method.toUpperCase(),
    scheme,
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? (DEFAULT_PORTS[scheme] ?? 0) : Number(parsed.port),
    path: parsed.pathname,
  };
  channel.publish(request);
}

/** Calls `listener` for every request reported in this process until the returned stop is called. */
export function observeOutboundHttp(listener: (request: OutboundHttpRequest) => void): () => void {
  const handler = (message: unknown): void => listener(message as OutboundHttpRequest);
  diagnostics.subscribe(OUTBOUND_HTTP_CHANNEL, handler);
  return () => {
    diagnostics.unsubscribe(OUTBOUND_HTTP_CHANNEL, handler);
  };
}

/**
 * A failed request's `errorType`: `timeout`, the system error code under fetch's `TypeError`
 * (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`), or the error's class name.
 */
export function outboundErrorType(error: unknown): string {
  if (!(error instanceof Error)) return '_OTHER';
  if (error.name === 'TimeoutError') return 'timeout';
  const code =
    (error.cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? code : error.name;
}
