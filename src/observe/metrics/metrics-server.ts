import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ObserveMetricsListenError } from '../errors.js';
import type { PlatformMetrics } from './platform-metrics.js';

/** Options of `startMetricsServer`. */
export interface MetricsServerOptions {
  /** Port to listen on; 0 picks a free one (see the returned `url`). */
  readonly port: number;
  /** Interface to bind. Default `0.0.0.0` (Prometheus scrapes workers from another machine). */
  readonly host?: string;
  /** The metrics to serve. */
  readonly metrics: PlatformMetrics;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`; the metrics are at `${url}/metrics`. */
  readonly url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` on its own port, for processes without the API server (`marketlake
 * worker --metrics-port`). Plain node:http: a worker should not carry a web framework for one
 * route. Rejects with `ObserveMetricsListenError` when the port is taken or not allowed.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '0.0.0.0';
  const server = createServer((req, res) => void answer(options.metrics, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE'
          ? 'the port is in use by another process; pick another with --metrics-port'
          : err.code === 'EACCES'
            ? 'ports below 1024 need privileges; pick one above 1024 with --metrics-port'
            : err.message;
      reject(
        new ObserveMetricsListenError(`Cannot serve metrics on ${host}:${options.port}: ${why}.`, {
          cause: err,
          details: { host, port: options.port, reason: err.code ?? err.message },
        }),
      );
    });
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function answer(metrics: PlatformMetrics, req: IncomingMessage, res: ServerResponse) {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found: metrics are served at /metrics.\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('Use GET /metrics.\n');
    return;
  }
  try {
    const { contentType, body } = await metrics.scrape();
    res.writeHead(200, { 'content-type': contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`Scrape failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
