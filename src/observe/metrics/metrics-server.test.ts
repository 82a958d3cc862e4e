import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from '../../../test/helpers/prom-text.js';
import { ObserveMetricsListenError } from '../errors.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { createMetrics } from './platform-metrics.js';

/*
 * The standalone endpoint workers serve with `--metrics-port`: real sockets on 127.0.0.1.
 */

const servers: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(port = 0) {
  const metrics = createMetrics({ processMetrics: false });
  const server = await startMetricsServer({ port, host: '127.0.0.1', metrics });
  servers.push(server);
  return { metrics, server };
}

describe('startMetricsServer', () => {
  it('serves GET /metrics in the Prometheus text format, collectors included', async () => {
    const { metrics, server } = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    metrics.workerHeartbeat();
    metrics.setCollector('worker', () => ({ runningAttempts: 2 }));
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseExposition(await res.text());
    expect(sampleValue(samples, 'marketlake_worker_heartbeats_total')).toBe(1);
    expect(sampleValue(samples, 'marketlake_running_attempts')).toBe(2);
  });

  it('answers HEAD without a body, 405 to other methods and 404 elsewhere', async () => {
    const { server } = await start();
    const head = await fetch(`${server.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const other = await fetch(`${server.url}/api/health`);
    expect(other.status).toBe(404);
    expect(await other.text()).toMatch(/served at \/metrics/);
  });

  it('fails with OBSERVE_METRICS_LISTEN_FAILED when the port is taken', async () => {
    const { server } = await start();
    const port = Number(new URL(server.url).port);
    const err = await startMetricsServer({
      port,
      host: '127.0.0.1',
      metrics: createMetrics({ processMetrics: false }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObserveMetricsListenError);
    expect((err as ObserveMetricsListenError).code).toBe('OBSERVE_METRICS_LISTEN_FAILED');
    expect((err as Error).message).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${port}.*in use.*--metrics-port`),
    );
  });

  it('closes: the port stops answering', async () => {
    const { server } = await start();
    await servers.pop()!.close();
    await expect(fetch(`${server.url}/metrics`)).rejects.toThrow();
  });
});
