// Benchmark child: what observability costs. The same work runs with metrics and tracing off and
// on (traces exported over OTLP/HTTP to a local receiver), alternating, and the throughputs are
// compared (issue: at most 5% lost):
//   http:   autocannon, 50 connections for --seconds, against GET /api/datasets of a real server;
//   fanout: --fanout no-op tasks in one run on an embedded runtime (2 slots).
//   node bench/observe-overhead.js --work bench/.work/observe [--seconds 10] [--fanout 2000]
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { emit, parseArgs } from './lib/args.js';
import { repoRoot } from './lib/child.js';

const args = parseArgs({ work: undefined, seconds: '10', fanout: '2000', rounds: '2' });
const dist = (p) => import(pathToFileURL(path.join(repoRoot, 'dist', p)).href);
const [
  { openMetaStore },
  { Lake },
  { createServer },
  observe,
  pipelines,
  core,
  cliMetrics,
  cliTracing,
] = await Promise.all([
  dist('meta/index.js'),
  dist('lake/index.js'),
  dist('api/index.js'),
  dist('observe/index.js'),
  dist('pipelines/index.js'),
  dist('core/index.js'),
  dist('cli/metrics-hooks.js'),
  dist('cli/tracing-hooks.js'),
]);
const work = path.resolve(args.work);
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const logger = core.createLogger({ level: 'silent' });

// A local OTLP/HTTP receiver that accepts and drops every export.
let spansBytes = 0;
const receiver = createHttpServer((req, res) => {
  req.on('data', (d) => (spansBytes += d.length));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const endpoint = `http://127.0.0.1:${receiver.address().port}`;

const url = `sqlite:${path.join(work, 'meta.sqlite')}`;
const store = await openMetaStore(url);
const lake = await Lake.open({ store, root: path.join(work, 'lake'), threads: 1 });

async function observers(on) {
  if (!on) return { metrics: false, tracing: undefined, hooks: undefined };
  const metrics = observe.createMetrics({ logger });
  const tracing = process.env.NO_TRACE
    ? undefined
    : await cliTracing.openTracing('bench', logger, {
        MARKETLAKE_OTLP_ENDPOINT: endpoint,
      });
  const hooks = pipelines.combineHooks(
    cliMetrics.metricsHooks(metrics),
    tracing ? cliTracing.tracingHooks(tracing, store) : undefined,
  );
  return { metrics, tracing, hooks };
}

async function httpRound(on) {
  const o = await observers(on);
  const config = { project: work, home: work, lakePath: lake.root };
  const app = createServer({
    ...{ config, store, lake, logger, startedAt: new Date(), ...o },
    httpTraceSampleEvery: cliTracing.httpTraceSampleEvery(process.env),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const target = `http://127.0.0.1:${app.server.address().port}/api/datasets`;
  // A child process, and an asynchronous one: the server answers from this process's event loop.
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules/autocannon/autocannon.js'),
      ...['-c', '50', '-d', args.seconds, '--json', target],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  await app.close();
  await o.tracing?.shutdown();
  if (code !== 0) throw new Error(`autocannon failed: ${stderr}`);
  const result = JSON.parse(stdout);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors from ${target}`);
  return result.requests.average;
}

const project = path.join(work, 'project');
mkdirSync(path.join(project, 'pipelines'), { recursive: true });
const fanout = Number(args.fanout);
writeFileSync(
  path.join(project, 'pipelines', 'fan.ts'),
  `import { asset, staticPartitions } from 'marketlake';
export const fan = asset({ name: 'fan', partitions: staticPartitions(Array.from({ length: ${fanout} }, (_, i) => 'k' + i)), run: () => undefined });`,
);
const holder = await pipelines.ProjectHolder.load(project);

async function fanoutRound(on) {
  const o = await observers(on);
  const runtime = await pipelines.PipelinesRuntime.start({
    store: new pipelines.RunStore(store),
    project: holder,
    logger,
    lake: {
      databaseUrl: url,
      lakePath: lake.root,
      tempDir: path.join(work, 'tmp'),
      memoryLimit: '256MB',
    },
    worker: { slots: 2 },
    ...(o.hooks ? { hooks: o.hooks } : {}),
  });
  try {
    const { runId } = await runtime.submit({ assets: ['fan'], from: 'k0', to: `k${fanout - 1}` });
    const start = performance.now();
    const run = await runtime.waitForRun(runId, 20);
    if (run.state !== 'succeeded') throw new Error(`fan-out ${run.state}`);
    return (fanout / (performance.now() - start)) * 1000;
  } finally {
    await runtime.stop();
    await o.tracing?.shutdown();
  }
}

const http = { off: [], on: [] };
const fan = { off: [], on: [] };
for (let round = 0; round < Number(args.rounds); round++) {
  for (const on of round % 2 === 0 ? [false, true] : [true, false]) {
    http[on ? 'on' : 'off'].push(await httpRound(on));
    fan[on ? 'on' : 'off'].push(await fanoutRound(on));
  }
}
lake.close();
await store.close();
receiver.close();
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
emit({
  httpOffRps: mean(http.off),
  httpOnRps: mean(http.on),
  httpLossPct: (1 - mean(http.on) / mean(http.off)) * 100,
  fanoutOffTasksPerSec: mean(fan.off),
  fanoutOnTasksPerSec: mean(fan.on),
  fanoutLossPct: (1 - mean(fan.on) / mean(fan.off)) * 100,
  fanout,
  seconds: Number(args.seconds),
  rounds: Number(args.rounds),
  otlpBytesReceived: spansBytes,
});
