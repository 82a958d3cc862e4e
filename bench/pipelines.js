// Pipelines benchmarks (issue 3), one JSON line of figures. Embedded mode (SQLite) unless
// --database-url is a postgres:// URL with --workers N runtimes (cluster mode, N workers sharing
// the database, each with its own pool of attempt processes). With --worker-processes shared the
// N runtimes run in this process; with separate each runs in a process of its own, as
// `marketlake worker` does on the nodes of a cluster (bench/lib/pipelines-worker.js), and this
// process only submits and waits.
//   node bench/pipelines.js --work bench/.work/pipelines [--fanout 10000] [--partitions 1000000]
// The peer is the raw executor: the same 40 tasks run back to back on ExecutorPool directly, with
// no run store, scheduling or logs, so the difference is what orchestration costs.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { emit, parseArgs } from './lib/args.js';
import { repoRoot } from './lib/child.js';

const args = parseArgs({
  work: undefined,
  fanout: '10000',
  partitions: '1000000',
  launches: '40',
  'database-url': '',
  workers: '1',
  slots: '2',
  'worker-processes': 'shared',
});
if (!['shared', 'separate'].includes(args['worker-processes'])) {
  throw new Error(`--worker-processes is shared or separate, not ${args['worker-processes']}`);
}
const dist = (p) => import(pathToFileURL(path.join(repoRoot, 'dist', p)).href);
const [{ openMetaStore }, pipelines, { createLogger }] = await Promise.all([
  dist('meta/index.js'),
  dist('pipelines/index.js'),
  dist('core/index.js'),
]);
const { ExecutorPool, PipelinesRuntime, ProjectHolder, RunStore, loadProject } = pipelines;

const work = path.resolve(args.work);
rmSync(work, { recursive: true, force: true });
const project = path.join(work, 'project');
mkdirSync(path.join(project, 'pipelines'), { recursive: true });
const fanout = Number(args.fanout);

writeFileSync(
  path.join(project, 'pipelines', 'bench.ts'),
  `import { asset, staticPartitions } from 'marketlake';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const chain = Array.from({ length: 40 }, (_, i) =>
  asset({ name: 'step_' + String(i).padStart(2, '0'), deps: i === 0 ? [] : ['step_' + String(i - 1).padStart(2, '0')], run: () => sleep(10) }),
);
export const noop = asset({ name: 'noop', run: () => undefined });
export const fan = asset({
  name: 'fan',
  partitions: staticPartitions(Array.from({ length: ${fanout} }, (_, i) => 'k' + String(i).padStart(6, '0'))),
  run: () => undefined,
});
`,
);

const pgUrl = args['database-url'];
const url = pgUrl || `sqlite:${path.join(work, 'meta.sqlite')}`;
const meta = await openMetaStore(url);
const store = new RunStore(meta);
const logger = createLogger({ level: 'silent' });
const lake = {
  databaseUrl: url,
  lakePath: path.join(work, 'lake'),
  tempDir: path.join(work, 'tmp'),
  memoryLimit: '256MB',
};
const holder = await ProjectHolder.load(project);
const pollMs = pgUrl ? 50 : 200;
const separate = pgUrl !== '' && args['worker-processes'] === 'separate';
const runtimes = [];
const children = [];
if (separate) {
  const script = path.join(repoRoot, 'bench', 'lib', 'pipelines-worker.js');
  for (let i = 0; i < Number(args.workers); i++) {
    const child = fork(script, [url, work, args.slots, String(pollMs)], { stdio: 'inherit' });
    children.push(child);
    const message = await new Promise((resolve, reject) => {
      const exited = (code) => reject(new Error(`worker process ${i} exited (${code}) unready`));
      child.once('exit', exited);
      child.once('message', (m) => {
        child.off('exit', exited);
        resolve(m);
      });
    });
    if (!message?.ready) throw new Error(`worker process ${i} said ${JSON.stringify(message)}`);
  }
  // This process submits and waits; the worker processes claim.
  runtimes.push(await PipelinesRuntime.start({ store, project: holder, logger, lake }));
} else {
  for (let i = 0; i < Number(args.workers); i++) {
    runtimes.push(
      await PipelinesRuntime.start({
        store: new RunStore(meta),
        project: holder,
        logger,
        lake,
        worker: { slots: Number(args.slots), pollMs },
      }),
    );
  }
}
const submitter = runtimes[0];
const ms = (iso) => Date.parse(iso);
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// Every figure comes from the run store's timestamps, not from this loop's wake-ups; polling
// the run's state costs the runtimes' event loop (when one process holds them all), so it is slow.
async function timedRun(request, pollMs = 25) {
  const { runId } = await submitter.submit(request);
  const run = await submitter.waitForRun(runId, pollMs);
  if (run.state !== 'succeeded') throw new Error(`run ${runId} ${run.state}: ${run.error}`);
  return run;
}

// Warm-up: workers started and the pipeline file compiled in them.
await timedRun({ assets: ['noop'] });

// The chain is short and the machine's scheduling noisy: its median over five runs.
const CHAIN_RUNS = 5;
const chainRunsMs = [];
for (let i = 0; i < CHAIN_RUNS; i++) {
  const chainRun = await timedRun({ assets: ['step_*'] });
  chainRunsMs.push(ms(chainRun.finishedAt) - ms(chainRun.createdAt));
}
const chainMs = pct(chainRunsMs, 50);

const launches = [];
for (let i = 0; i < Number(args.launches); i++) {
  const run = await timedRun({ assets: ['noop'] });
  launches.push(ms(run.attempts[0].startedAt) - ms(run.createdAt));
}

const fanStart = performance.now();
const fanRun = await timedRun({
  assets: ['fan'],
  from: 'k000000',
  to: `k${String(fanout - 1).padStart(6, '0')}`,
});
const fanMs = performance.now() - fanStart;
const fanDbMs = ms(fanRun.finishedAt) - ms(fanRun.createdAt);

for (const rt of runtimes) await rt.stop();
for (const child of children) child.send('stop');
await Promise.all(children.map((child) => once(child, 'exit')));

// Peer: the raw executor, 40 sequential 10 ms tasks without orchestration.
const pool = await ExecutorPool.start({ slots: 1 });
const file = path.join(project, 'pipelines', 'bench.ts');
await pool.execute({ kind: 'run', runId: 'warm', asset: 'noop', projectDir: project, file }).result;
const rawStart = performance.now();
for (let i = 0; i < 40; i++) {
  const asset = `step_${String(i).padStart(2, '0')}`;
  const r = await pool.execute({ kind: 'run', runId: 'raw', asset, projectDir: project, file })
    .result;
  if (r.exitReason !== 'OK') throw new Error(`raw ${asset}: ${r.exitReason}`);
}
const rawChainMs = performance.now() - rawStart;
await pool.close();

// Loading 1,000 asset definitions from 10 files.
const big = path.join(work, 'big-project');
mkdirSync(path.join(big, 'pipelines'), { recursive: true });
for (let f = 0; f < 10; f++) {
  writeFileSync(
    path.join(big, 'pipelines', `p${f}.ts`),
    `import { asset } from 'marketlake';\nexport const assets = Array.from({ length: 100 }, (_, i) => asset({ name: 'a${f}_' + i, deps: i > 0 ? ['a${f}_' + (i - 1)] : [], run: () => i }));\n`,
  );
}
const loadStart = performance.now();
const loaded = await loadProject(big);
const loadMs = performance.now() - loadStart;
if (loaded.assets.length !== 1000) throw new Error(`loaded ${loaded.assets.length} assets`);

// A page of partition status with 1,000,000 partitions of one asset stored.
const partitions = Number(args.partitions);
const fillStart = performance.now();
for (let start = 0; start < partitions; start += 100_000) {
  await store.setPartitionRange(
    'million',
    { start, end: Math.min(partitions, start + 100_000) },
    'succeeded',
  );
}
await store.setPartitionStatus('million', [{ index: 777_777 % partitions, state: 'failed' }]);
const fillMs = performance.now() - fillStart;
const pageMs = [];
const failedPageMs = [];
for (let i = 0; i < 200; i++) {
  const after = Math.floor((((i * 7919) % 1000) / 1000) * partitions);
  let t = performance.now();
  const page = await store.listPartitionStatus('million', { afterIndex: after, limit: 100 });
  pageMs.push(performance.now() - t);
  if (page.items.length === 0 && after < partitions - 1) throw new Error('empty page');
  t = performance.now();
  await store.listPartitionStatus('million', { state: 'failed', limit: 100 });
  failedPageMs.push(performance.now() - t);
}
await meta.close();

emit({
  mode: pgUrl ? 'cluster' : 'embedded',
  workers: Number(args.workers),
  workerProcesses: pgUrl ? args['worker-processes'] : 'shared',
  slots: Number(args.slots),
  chain40Ms: chainMs,
  chain40RunsMs: chainRunsMs,
  rawChain40Ms: rawChainMs,
  launchP50Ms: pct(launches, 50),
  launchP90Ms: pct(launches, 90),
  launches: launches.length,
  fanout,
  fanoutMs: fanMs,
  fanoutDbMs: fanDbMs,
  load1000Ms: loadMs,
  partitions,
  partitionFillMs: fillMs,
  partitionPageP50Ms: pct(pageMs, 50),
  partitionPageP99Ms: pct(pageMs, 99),
  failedPageP50Ms: pct(failedPageMs, 50),
});
