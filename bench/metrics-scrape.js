// Benchmark child: the cost of a Prometheus scrape of /metrics with `--assets` assets populated
// (issue: under 50 ms with 1,000 assets). Every asset has what a busy day leaves: succeeded and
// failed attempts (counts, duration histogram, CPU, peak memory, rows, bytes), a retry, two runs,
// two check results, a freshness timestamp and a lake dataset (bytes, files, rows); plus pools,
// schedules, connectors, HTTP routes and the process metrics. Measures, after a warm-up:
//   render: `metrics.scrape()` in-process (collectors + exposition text);
//   http:   GET /metrics over a socket from the standalone metrics server (what Prometheus sees).
// Usage: npm run build && node bench/metrics-scrape.js --assets 1000 [--scrapes 200 --warmup 20]
import { createMetrics, startMetricsServer } from '../dist/observe/index.js';
import { emit, parseArgs } from './lib/args.js';
import { peakRssBytes } from './lib/peak-rss.js';
import { latencySummary, mulberry32 } from './lib/random.js';

const args = parseArgs({ assets: '1000', scrapes: '200', warmup: '20', seed: '42' });
const assets = Number(args.assets);
const random = mulberry32(Number(args.seed));
const names = Array.from({ length: assets }, (_, i) => `asset_${String(i).padStart(5, '0')}`);

const metrics = createMetrics();
const pools = ['default', 'heavy', 'io', 'backfill'];
for (const [i, asset] of names.entries()) {
  for (const [state, exitReason] of [
    ['succeeded', 'OK'],
    ['failed', 'ERROR'],
  ]) {
    metrics.attemptFinished({
      asset,
      state,
      exitReason,
      pool: pools[i % pools.length],
      wallSeconds: random() * 600,
      queueSeconds: random() * 5,
      cpuUserSeconds: random() * 100,
      cpuSystemSeconds: random() * 10,
      peakRssBytes: Math.floor(random() * 2 ** 31),
      rowsWritten: Math.floor(random() * 1e6),
      bytesWritten: Math.floor(random() * 1e8),
    });
  }
  metrics.attemptRetried({ asset });
  metrics.runFinished({ job: asset, kind: 'schedule', state: 'succeeded' });
  metrics.runFinished({ job: asset, kind: 'schedule', state: 'failed' });
  metrics.checkResult({ asset, check: 'ohlc', severity: 'error', passed: true });
  metrics.checkResult({ asset, check: 'gaps', severity: 'warn', passed: false });
}
for (let s = 0; s < 20; s++)
  metrics.scheduleTick({ schedule: `schedule_${s}`, lagSeconds: random() });
for (let c = 0; c < 10; c++) {
  const source = `source_${c}`;
  metrics.connectorRequest({ source, status: 200, durationSeconds: random() });
  metrics.connectorRequest({ source, status: 429, durationSeconds: random() });
  metrics.connectorError({ source, reason: 'CONNECTOR_TIMEOUT' });
  metrics.connectorRateLimitWait({ source, waitSeconds: random() });
}
for (const route of [
  '/api/health',
  '/api/datasets',
  '/api/datasets/:name',
  '/api/query',
  'unmatched',
])
  for (const status of [200, 404, 500])
    metrics.httpRequest({ method: 'GET', route, status, durationSeconds: random() / 10 });
const nowMs = Date.now();
metrics.setCollector('runs', () => ({
  activeRuns: 12,
  queuedAttempts: 40,
  runningAttempts: 8,
  pools: pools.map((pool) => ({ pool, slotsInUse: 2, slots: 4 })),
  workers: { alive: 4, lost: 0 },
  oldestHeartbeatAgeSeconds: 3,
  assetLastSuccess: names.map((asset, i) => ({ asset, lastSuccessMs: nowMs - i * 1000 })),
}));
metrics.setCollector('lake', () => ({
  lakeDatasets: names.map((dataset, i) => ({
    dataset,
    bytes: i * 1e6,
    files: i % 50,
    rows: i * 1e4,
  })),
}));

const server = await startMetricsServer({ port: 0, host: '127.0.0.1', metrics });
try {
  const first = (await metrics.scrape()).body;
  const lines = first.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  for (let i = 0; i < Number(args.warmup); i++) await metrics.scrape();
  const render = [];
  for (let i = 0; i < Number(args.scrapes); i++) {
    const start = performance.now();
    await metrics.scrape();
    render.push(performance.now() - start);
  }
  const url = `${server.url}/metrics`;
  for (let i = 0; i < Number(args.warmup); i++) await (await fetch(url)).text();
  const http = [];
  for (let i = 0; i < Number(args.scrapes); i++) {
    const start = performance.now();
    const res = await fetch(url);
    const body = await res.text();
    http.push(performance.now() - start);
    if (res.status !== 200 || body.length < first.length / 2)
      throw new Error(`GET ${url}: status ${res.status}, ${body.length} bytes`);
  }
  emit({
    tool: 'marketlake',
    assets,
    samples: lines,
    bytes: Buffer.byteLength(first),
    render: latencySummary(render),
    http: latencySummary(http),
    peakRssBytes: peakRssBytes(),
  });
} finally {
  await server.close();
}
