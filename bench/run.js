// Runs every benchmark of issue 2 and writes BENCHMARKS.md (see lib/config.js for sizes):
//   BENCH_SCALE=full npm run bench     the figures for BENCHMARKS.md (takes a while)
//   BENCH_SCALE=small npm run bench    a quick check of the scripts (report in bench/.work/)
// Each measurement runs in a fresh Node process (bench/*.js children) importing the built dist/.
// A child that fails (e.g. DuckDB out of memory) is reported as failed; the others still run.
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, runChild, shown } from './lib/child.js';
import { loadConfig } from './lib/config.js';
import { ensureBarsCsv } from './lib/gen-bars.js';
import { csvHead, warmPageCache } from './lib/inputs.js';
import { describeMachine } from './lib/machine.js';
import { dropSchema } from './lib/pg.js';
import { renderReport } from './lib/report.js';

const config = loadConfig();
if (!existsSync(path.join(repoRoot, 'dist', 'lake', 'index.js'))) {
  throw new Error('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`.');
}
mkdirSync(config.work, { recursive: true });
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const machine = describeMachine();
log(`scale ${config.scale}: ${config.benchmarks.join(', ')}; work folder ${shown(config.work)}`);

/** Runs a child; a failure becomes `{ command, error }` instead of ending the whole run. */
async function attempt(script, options) {
  try {
    return await runChild(script, options);
  } catch (err) {
    if (!err.command) throw err;
    log(`  FAILED ${err.summary}`);
    return { command: err.command, error: err.summary };
  }
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * Imports `file` with marketlake and each raw DuckDB variant, `repeat` times, rotating the order
 * per round so neither side always runs first (page cache, CPU frequency, other load).
 */
async function importBenchmark(id, title, file, rowsNote) {
  await warmPageCache(file);
  const tools = [
    { tool: 'marketlake', script: 'bench/import-marketlake.js', options: {} },
    ...(id === 'import-sp500'
      ? [{ tool: 'marketlake-file-drop', script: 'bench/import-file-drop.js', options: {} }]
      : []),
    ...config.rawVariants.map((variant) => ({
      tool: `duckdb-${variant}`,
      script: 'bench/import-duckdb.js',
      options: { variant },
    })),
  ];
  const memory = config.memoryLimit ? { 'memory-limit': config.memoryLimit } : {};
  const runs = new Map(tools.map((t) => [t.tool, []]));
  for (let round = 0; round < config.repeat; round++) {
    for (let i = 0; i < tools.length; i++) {
      const t = tools[(i + round) % tools.length];
      const work = path.join(config.work, 'runs', `${id}-${t.tool}`);
      rmSync(work, { recursive: true, force: true });
      log(`${id}: ${t.tool} (round ${round + 1}/${config.repeat})`);
      const run = await attempt(t.script, { file, work, ...t.options, ...memory });
      rmSync(work, { recursive: true, force: true });
      if (run.result) {
        const { wallMs, peakRssBytes, rows } = run.result;
        log(
          `  ${(wallMs / 1000).toFixed(2)} s, peak RSS ${(peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${rows} rows`,
        );
      }
      runs.get(t.tool).push(run);
    }
  }
  const results = tools.map((t) => {
    const all = runs.get(t.tool);
    const ok = all.filter((x) => x.result);
    const failures = all.filter((x) => x.error).map((x) => x.error);
    if (ok.length === 0) return { tool: t.tool, command: all[0].command, runs: 0, failures };
    return {
      tool: t.tool,
      command: ok[0].command,
      runs: ok.length,
      failures,
      wallMs: median(ok.map((x) => x.result.wallMs)),
      wallMsAll: ok.map((x) => x.result.wallMs),
      processMs: median(ok.map((x) => x.processMs)),
      peakRssBytes: Math.max(...ok.map((x) => x.result.peakRssBytes ?? 0)),
      rows: ok[0].result.rows,
      quarantined: ok[0].result.quarantined,
      files: ok[0].result.files,
    };
  });
  return { id, title, file: shown(file), fileBytes: statSync(file).size, rowsNote, results };
}

async function pointReadBenchmark() {
  const { symbols, years, seed } = config.point;
  const work = path.join(config.work, 'point-lake');
  // Rebuilt on every run, so the lake's layout (row groups, sort) is that of the code measured.
  rmSync(work, { recursive: true, force: true });
  log(`point-read: building a lake of ${symbols} symbols x ${years} years`);
  const build = await attempt('bench/build-point-lake.js', { work, symbols, years, seed });
  const section = {
    id: 'point-read',
    symbols,
    years,
    build: { command: build.command, error: build.error, ...build.result },
    readers: [],
  };
  if (!build.result) return section;
  log(
    `  built ${build.result.rows} rows in ${build.result.files} files (${(build.result.wallMs / 1000).toFixed(1)} s)`,
  );
  for (const [tool, script, extra] of [
    ['marketlake', 'bench/point-read-marketlake.js', {}],
    ['marketlake-duckdb', 'bench/point-read-marketlake.js', { 'direct-reads': false }],
    ['duckdb', 'bench/point-read-duckdb.js', {}],
  ]) {
    log(`point-read: ${tool}`);
    const run = await attempt(script, {
      work,
      symbols,
      reads: config.reads,
      warmup: config.warmup,
      seed: 42,
      ...extra,
    });
    if (run.result)
      log(`  p50 ${run.result.p50Ms.toFixed(2)} ms, p99 ${run.result.p99Ms.toFixed(2)} ms`);
    section.readers.push({ tool, command: run.command, error: run.error, ...run.result });
  }
  return section;
}

/** Embedded (SQLite) or cluster (PostgreSQL schema, several worker runtimes) pipeline figures. */
async function pipelinesBenchmark(id, extra) {
  const { fanout, partitions, launches } = config.pipelines;
  const work = path.join(config.work, id);
  const options = { work, fanout, partitions, launches, ...extra };
  let schema;
  if ('database-url' in extra) {
    schema = `bench_${Date.now().toString(36)}`;
    options['database-url'] = `${config.pgUrl}?schema=${schema}`;
  }
  log(`${id}: ${fanout} fan-out, ${partitions} partitions`);
  const run = await attempt('bench/pipelines.js', options);
  if (schema) await dropSchema(config.pgUrl, schema);
  rmSync(work, { recursive: true, force: true });
  return { id, command: run.command, error: run.error, ...run.result };
}

const sections = [];
if (config.benchmarks.includes('import-sp500')) {
  if (!existsSync(config.sp500)) {
    throw new Error(`${config.sp500} is missing: set BENCH_SP500_FILE or skip it with BENCH_ONLY.`);
  }
  const head = config.sp500Rows > 0;
  const file = head ? await csvHead(config.sp500, config.sp500Rows, config.work) : config.sp500;
  const note = head
    ? `first ${config.sp500Rows.toLocaleString('en-US')} rows of ${path.basename(config.sp500)}`
    : `${path.basename(config.sp500)}, all rows`;
  sections.push(
    await importBenchmark('import-sp500', 'Import: S&P 500 daily bars (IEX, 5 years)', file, note),
  );
}
if (config.benchmarks.includes('import-generated')) {
  const { symbols, days } = config.gen;
  log(`import-generated: generating ${symbols} x ${days} bars (once)`);
  const csv = path.join(config.work, `bars-${symbols}x${days}.csv`);
  const { file, rows } = await ensureBarsCsv(csv, config.gen, path.join(config.work, 'tmp'));
  const note = `${rows.toLocaleString('en-US')} rows: ${symbols} symbols x ${days} weekdays from 2006-01-02, date-major order (as daily vendor files concatenate), generated by bench/lib/gen-bars.js (seed ${config.gen.seed})`;
  const title = `Import: generated bars (${(rows / 1e6).toLocaleString('en-US')}M rows)`;
  sections.push(await importBenchmark('import-generated', title, file, note));
}
if (config.benchmarks.includes('point-read')) sections.push(await pointReadBenchmark());
if (config.benchmarks.includes('pipelines'))
  sections.push(await pipelinesBenchmark('pipelines', {}));
if (config.benchmarks.includes('pipelines-cluster'))
  sections.push(
    await pipelinesBenchmark('pipelines-cluster', {
      'database-url': '',
      workers: 3,
      'worker-processes': 'separate',
    }),
  );
if (config.benchmarks.includes('metrics-scrape')) {
  log('metrics-scrape: 1,000 assets');
  const run = await attempt('bench/metrics-scrape.js', { assets: 1000, scrapes: 200, warmup: 20 });
  sections.push({ id: 'metrics-scrape', command: run.command, error: run.error, ...run.result });
}
if (config.benchmarks.includes('observe-overhead')) {
  log('observe-overhead: HTTP load and fan-out with metrics and tracing off and on');
  const work = path.join(config.work, 'observe');
  const small = config.scale !== 'full';
  const run = await attempt('bench/observe-overhead.js', {
    work,
    seconds: small ? 3 : 5,
    // The fan-out: 10,000 tasks in one run, as the pipelines benchmark runs it.
    fanout: small ? 300 : 10_000,
    rounds: small ? 1 : 8,
  });
  rmSync(work, { recursive: true, force: true });
  sections.push({ id: 'observe-overhead', command: run.command, error: run.error, ...run.result });
}

const report = { config, machine, sections };
const json = path.join(config.work, `results-${config.scale}.json`);
writeFileSync(json, JSON.stringify(report, null, 2));
mkdirSync(path.dirname(config.out), { recursive: true });
writeFileSync(config.out, renderReport(report));
log(`wrote ${shown(config.out)} and ${shown(json)}`);
