import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A recorded response served for matching requests. */
export interface FixtureRoute {
  /** Default GET. */
  method?: string;
  /** Exact path, e.g. `/v8/finance/chart/AAPL`. */
  path: string;
  /** Query parameters that must be present with these values (others are ignored). */
  query?: Record<string, string>;
  /** Request headers that must be present with these values (else 401), e.g. `{ auth_key: 'k' }`. */
  requireHeaders?: Record<string, string>;
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** Body text, or a value sent as JSON. */
  body?: unknown;
  /** A file whose bytes are the body (a recorded response). */
  file?: string;
}

/** A failure injected into the next matching requests. */
export type Fault =
  /** Answer with this status (e.g. 429 with `Retry-After`, 418, 500, 503). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Wait before answering normally (beyond the client's timeout to test timeouts). */
  | { kind: 'delay'; ms: number }
  /**
   * Send only the first `bytes` of the body. With `declareLength` (default) the full
   * Content-Length is announced and the socket is cut (a network error); without, the response
   * ends early as if complete (a body that does not parse).
   */
  | { kind: 'truncate'; bytes?: number; declareLength?: boolean }
  /** 200 with an HTML page (a proxy or login wall in the way). */
  | { kind: 'html' }
  /** Close the connection without any response. */
  | { kind: 'reset' };

/** A request the server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Milliseconds since the server started. */
  atMs: number;
}

/** A local HTTP server that replays recorded provider responses and injects faults. */
export interface FixtureServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (use as the connector's baseUrl). */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Adds a route (later routes win over earlier ones for the same request). */
  route(route: FixtureRoute): void;
  /** Injects `fault` into the next `times` (default 1) requests whose path starts with `path`. */
  fail(fault: Fault, options?: { times?: number; path?: string }): void;
  close(): Promise<void>;
}

const HTML =
  '<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Please sign in</h1></body></html>';

function matches(
  route: FixtureRoute,
  method: string,
  path: string,
  query: URLSearchParams,
): boolean {
  if ((route.method ?? 'GET').toUpperCase() !== method || route.path !== path) return false;
  return Object.entries(route.query ?? {}).every(([k, v]) => query.get(k) === v);
}

function bodyOf(route: FixtureRoute): Buffer {
  if (route.file) return readFileSync(route.file);
  if (typeof route.body === 'string') return Buffer.from(route.body);
  return Buffer.from(route.body === undefined ? '' : JSON.stringify(route.body));
}

/**
 * Starts a fixture server on 127.0.0.1 (a free port). Unmatched requests get 404 with a message
 * naming the request, so a test fails loudly instead of touching the internet.
 */
export async function startFixtureServer(
  routes: readonly FixtureRoute[] = [],
): Promise<FixtureServer> {
  const table = [...routes];
  const faults: { fault: Fault; left: number; path: string }[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const started = performance.now();

  const send = (
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: Buffer,
  ): void => {
    res.writeHead(status, { 'content-length': String(body.length), ...headers });
    res.end(body);
  };

  const respond = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const method = (req.method ?? 'GET').toUpperCase();
    const route = [...table]
      .reverse()
      .find((r) => matches(r, method, url.pathname, url.searchParams));
    if (!route) {
      send(
        res,
        404,
        { 'content-type': 'text/plain' },
        Buffer.from(`no fixture for ${method} ${url.pathname}${url.search}`),
      );
      return;
    }
    for (const [name, value] of Object.entries(route.requireHeaders ?? {})) {
      if (req.headers[name.toLowerCase()] !== value) {
        send(
          res,
          401,
          { 'content-type': 'application/json' },
          Buffer.from(JSON.stringify({ error: `missing or wrong ${name} header` })),
        );
        return;
      }
    }
    const type = route.file?.endsWith('.csv')
      ? 'text/csv'
      : typeof route.body === 'string'
        ? 'text/plain'
        : 'application/json';
    send(res, route.status ?? 200, { 'content-type': type, ...route.headers }, bodyOf(route));
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    requests.push({
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      atMs: performance.now() - started,
    });
    const i = faults.findIndex((f) => url.pathname.startsWith(f.path) && f.left > 0);
    const entry = i >= 0 ? faults[i] : undefined;
    if (entry && --entry.left === 0) faults.splice(i, 1);
    const fault = entry?.fault;
    if (!fault) return respond(req, res, url);
    switch (fault.kind) {
      case 'status':
        return send(
          res,
          fault.status,
          { 'content-type': 'application/json', ...fault.headers },
          Buffer.from(fault.body ?? JSON.stringify({ error: `injected ${fault.status}` })),
        );
      case 'html':
        return send(res, 200, { 'content-type': 'text/html; charset=utf-8' }, Buffer.from(HTML));
      case 'reset':
        req.socket.destroy();
        return;
      case 'delay': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) respond(req, res, url);
        }, fault.ms);
        timers.add(timer);
        return;
      }
      case 'truncate': {
        // Render the normal response into a buffer, then send part of it.
        const chunks: Buffer[] = [];
        let status = 200;
        let headers: Record<string, string> = {};
        const fake = {
          writeHead: (s: number, h: Record<string, string>) => ((status = s), (headers = h), fake),
          end: (b: Buffer) => chunks.push(b),
        } as unknown as ServerResponse;
        respond(req, fake, url);
        const full = Buffer.concat(chunks);
        const part = full.subarray(0, fault.bytes ?? Math.floor(full.length / 2));
        if (fault.declareLength === false) {
          const { 'content-length': _, ...rest } = headers;
          res.writeHead(status, { ...rest, connection: 'close' });
          res.end(part);
        } else {
          res.writeHead(status, { ...headers, 'content-length': String(full.length) });
          res.write(part, () => res.destroy());
        }
        return;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (route) => void table.push(route),
    fail: (fault, options = {}) =>
      void faults.push({ fault, left: options.times ?? 1, path: options.path ?? '/' }),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
