// Benchmark child: what observability costs. The same work runs with metrics and tracing off and
// on (traces exported over OTLP/HTTP to a local receiver), alternating, and the throughputs are
// compared (issue: at most 5% lost):
//   http:   autocannon, 50 connections for --seconds, against GET /api/datasets of a real server;
//   fanout: --fanout no-op tasks in one run on an embedded runtime (2 slots).
// Throughput on a 2-core machine shared with the load generator is noisy, so each round also
// records this process's CPU time per request or task (the server, the runtime and the hooks all
// run here; autocannon and the task processes do not): the cost that observability adds.
//   node bench/observe-overhead.js --work bench/.work/observe [--seconds 10] [--fanout 2000]
import { fork, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

// A local OTLP/HTTP receiver that accepts and drops every export, in a process of its own as a
// collector is (receiving in this process would bill the collector's work to observability).
const receiver = fork(path.join(repoRoot, 'bench', 'lib', 'otlp-sink.js'), [], {
  stdio: 'inherit',
});
const { port } = await new Promise((resolve, reject) => {
  receiver.once('message', resolve);
  receiver.once('exit', (code) => reject(new Error(`the OTLP sink exited (${code})`)));
});
const endpoint = `http://127.0.0.1:${port}`;

const url = `sqlite:${path.join(work, 'meta.sqlite')}`;
const store = await openMetaStore(url);
const lake = await Lake.open({ store, root: path.join(work, 'lake'), threads: 1 });

// Observability as a platform process has it: made once at start (the span thread, the metrics
// registry) and used by every "on" round, as `marketlake up` uses it for its whole life. Each round
// ends with `flush`, inside the round's time for the fan-out, so every span it made is exported.
async function makeObservers(attemptSampleEvery) {
  const metrics = observe.createMetrics({ logger });
  const tracing = process.env.NO_TRACE
    ? undefined
    : await cliTracing.openTracing('bench', logger, {
        MARKETLAKE_OTLP_ENDPOINT: endpoint,
      });
  const traced = tracing
    ? cliTracing.tracingHooks(tracing, store, { attemptSampleEvery })
    : undefined;
  const hooks = pipelines.combineHooks(cliMetrics.metricsHooks(metrics), traced);
  // What `marketlake up` does at stop: pending commit spans looked up, then the export drained.
  const flush = async () => {
    await traced?.flush();
    await tracing?.flush();
  };
  const close = async () => {
    await traced?.flush();
    await tracing?.shutdown();
  };
  return { metrics, tracing, hooks, flush, close };
}
const offObservers = {
  metrics: false,
  tracing: undefined,
  hooks: undefined,
  flush: async () => {},
};
// "on" as `marketlake up` runs by default; "all" traces every attempt
// (MARKETLAKE_OTLP_ATTEMPT_SAMPLE_EVERY=1), measured in rounds of its own against "off".
const onObservers = await makeObservers(cliTracing.attemptTraceSampleEvery({}));
const allObservers = await makeObservers(1);
const observers = (on) => (on === 'all' ? allObservers : on ? onObservers : offObservers);

async function httpRound(on) {
  const o = observers(on);
  const { flush: _flush, close: _close, ...platform } = o;
  const config = { project: work, home: work, lakePath: lake.root };
  const app = createServer({
    ...{ config, store, lake, logger, startedAt: new Date(), ...platform },
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
  const cpu0 = process.cpuUsage();
  const code = await new Promise((resolve) => child.on('close', resolve));
  const cpu = process.cpuUsage(cpu0);
  await app.close();
  await o.flush();
  if (code !== 0) throw new Error(`autocannon failed: ${stderr}`);
  const result = JSON.parse(stdout);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors from ${target}`);
  return {
    perSec: result.requests.average,
    cpuUs: (cpu.user + cpu.system) / result.requests.total,
  };
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
  const o = observers(on);
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
    const cpu0 = process.cpuUsage();
    const run = await runtime.waitForRun(runId, 20);
    await o.flush();
    const cpu = process.cpuUsage(cpu0);
    if (run.state !== 'succeeded') throw new Error(`fan-out ${run.state}`);
    return {
      perSec: (fanout / (performance.now() - start)) * 1000,
      cpuUs: (cpu.user + cpu.system) / fanout,
    };
  } finally {
    await runtime.stop();
  }
}

const http = { off: [], on: [] };
const fan = { off: [], on: [] };
// Each workload runs once each way unmeasured (JIT, caches, the database's first pages), then
// its rounds: off and on back to back, in alternating order. The HTTP rounds all come before
// the fan-out rounds, so the run history the fan-outs write never lands between an off and an on.
const order = (round) => (round % 2 === 0 ? [false, true] : [true, false]);
for (const on of order(0)) await httpRound(on);
for (let round = 0; round < Number(args.rounds); round++)
  for (const on of order(round)) http[on ? 'on' : 'off'].push(await httpRound(on));
for (const on of order(0)) await fanoutRound(on);
for (let round = 0; round < Number(args.rounds); round++)
  for (const on of order(round)) fan[on ? 'on' : 'off'].push(await fanoutRound(on));
const all = { off: [], on: [] };
for (let round = 0; round < Number(args.rounds); round++)
  for (const on of order(round)) all[on ? 'on' : 'off'].push(await fanoutRound(on && 'all'));
await onObservers.close();
await allObservers.close();
lake.close();
await store.close();
const spansBytes = await new Promise((resolve) => {
  receiver.once('message', (m) => resolve(m.bytes));
  receiver.send('bytes');
});
receiver.kill();
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const summary = (w) => {
  const off = mean(w.off.map((r) => r.perSec));
  const on = mean(w.on.map((r) => r.perSec));
  const cpuOff = mean(w.off.map((r) => r.cpuUs));
  const cpuOn = mean(w.on.map((r) => r.cpuUs));
  // Each round ran off and on back to back: the loss is the median of the rounds' own ratios,
  // so one round slowed by the machine's other work does not decide the figure.
  const losses = w.on.map((r, i) => (1 - r.perSec / w.off[i].perSec) * 100);
  return {
    off,
    on,
    lossPct: median(losses),
    meanLossPct: (1 - on / off) * 100,
    offRounds: w.off.map((r) => r.perSec),
    onRounds: w.on.map((r) => r.perSec),
    cpuOffUs: cpuOff,
    cpuOnUs: cpuOn,
    cpuAddedPct: (cpuOn / cpuOff - 1) * 100,
  };
};
const h = summary(http);
const f = summary(fan);
const a = summary(all);
emit({
  httpOffRps: h.off,
  httpOnRps: h.on,
  httpLossPct: h.lossPct,
  httpMeanLossPct: h.meanLossPct,
  httpOffRounds: h.offRounds,
  httpOnRounds: h.onRounds,
  httpCpuOffUs: h.cpuOffUs,
  httpCpuOnUs: h.cpuOnUs,
  httpCpuAddedPct: h.cpuAddedPct,
  fanoutOffTasksPerSec: f.off,
  fanoutOnTasksPerSec: f.on,
  fanoutLossPct: f.lossPct,
  fanoutMeanLossPct: f.meanLossPct,
  fanoutOffRounds: f.offRounds,
  fanoutOnRounds: f.onRounds,
  fanoutCpuOffUs: f.cpuOffUs,
  fanoutCpuOnUs: f.cpuOnUs,
  fanoutCpuAddedPct: f.cpuAddedPct,
  allAttemptsLossPct: a.lossPct,
  allAttemptsMeanLossPct: a.meanLossPct,
  allAttemptsOffTasksPerSec: a.off,
  allAttemptsOnTasksPerSec: a.on,
  allAttemptsCpuOffUs: a.cpuOffUs,
  allAttemptsCpuOnUs: a.cpuOnUs,
  allAttemptsCpuAddedPct: a.cpuAddedPct,
  fanout,
  seconds: Number(args.seconds),
  rounds: Number(args.rounds),
  otlpBytesReceived: spansBytes,
});
