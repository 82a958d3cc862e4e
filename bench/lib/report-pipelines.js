// BENCHMARKS.md sections of the pipelines (issue 3) and metrics-scrape (issue 5) benchmarks.
const ms = (v) => `${Number(v).toFixed(v < 10 ? 2 : 0)} ms`;
const s = (v) => `${(v / 1000).toFixed(2)} s`;
const int = (n) => Number(n).toLocaleString('en-US');
const verdict = (ok) => (ok ? '**met**' : '**missed**');

/** The pipelines section (embedded or cluster mode). */
export function pipelinesSection(r) {
  const cluster = r.id === 'pipelines-cluster';
  const title = cluster
    ? '## Pipelines, cluster mode (PostgreSQL, 3 workers)'
    : '## Pipelines, embedded mode (SQLite)';
  if (r.error)
    return [title, '', `Failed: \`${r.error}\`.  `, `Command: \`${r.command}\``].join('\n');
  const launchTarget = cluster ? 250 : 50;
  const rows = [
    [
      '40 sequential 10 ms tasks, trigger to run end (median of 5 runs)',
      `${s(r.chain40Ms)}${r.chain40RunsMs ? ` (runs: ${r.chain40RunsMs.map((v) => (v / 1000).toFixed(2)).join(', ')})` : ''}`,
      `raw executor, same 40 tasks back to back: ${s(r.rawChain40Ms)}; published: Airflow 2.7.3 116 s, Temporal TS 3.06 s, Hatchet 1.22 s (Windmill's benchmark)`,
      cluster ? '' : `under 0.6 s: ${verdict(r.chain40Ms < 600)}`,
    ],
    [
      `Run launch, trigger to first task running (p50 of ${r.launches})`,
      `${ms(r.launchP50Ms)} (p90 ${ms(r.launchP90Ms)})`,
      'Dagster users report 3-17 s to launch a run',
      `under ${launchTarget} ms: ${verdict(r.launchP50Ms < launchTarget)}`,
    ],
    [
      `Fan-out of ${int(r.fanout)} no-op tasks (one run)`,
      s(r.fanoutMs),
      `${r.workers} worker runtime(s) x ${r.slots} slots`,
      r.fanout >= 10_000 ? `under 20 s: ${verdict(r.fanoutMs < 20_000)}` : '(target at 10,000)',
    ],
    ...(cluster
      ? []
      : [
          [
            'Loading 1,000 asset definitions (10 files)',
            ms(r.load1000Ms),
            'TypeScript compiled on the fly (jiti)',
            `under 1 s: ${verdict(r.load1000Ms < 1000)}`,
          ],
          [
            `A page (100) of partition status, ${int(r.partitions)} partitions stored`,
            `p50 ${ms(r.partitionPageP50Ms)}, p99 ${ms(r.partitionPageP99Ms)}`,
            `failed-only page p50 ${ms(r.failedPageP50Ms)}; storing all took ${s(r.partitionFillMs)}`,
            `under 50 ms: ${verdict(r.partitionPageP99Ms < 50)}`,
          ],
        ]),
  ];
  return [
    title,
    '',
    cluster
      ? "Three worker processes (bench/lib/pipelines-worker.js: a pipelines runtime in the worker role, 2 slots, its own pool of attempt processes, as `marketlake worker --slots 2` runs) share one PostgreSQL schema and claim with `FOR UPDATE SKIP LOCKED`; the benchmark process only submits runs and waits. Launch latency includes the workers' 50 ms poll (nothing in the submitting process wakes them)."
      : 'One embedded runtime (SQLite metadata, 2 slots) as `marketlake up` runs it. Times come from the run store (run created to run finished) and the benchmark clock.',
    '',
    '| Measure | marketlake | Peer / anchor | Target |',
    '|---|---:|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    `Command: \`${r.command}\``,
  ].join('\n');
}

/** The metrics scrape section. */
export function metricsSection(r) {
  const title = '## Metrics: a scrape of /metrics with 1,000 assets';
  if (r.error)
    return [title, '', `Failed: \`${r.error}\`.  `, `Command: \`${r.command}\``].join('\n');
  const render = r.render ?? {};
  const http = r.http ?? {};
  return [
    title,
    '',
    `Every asset has succeeded and failed attempts, retries, runs, check results, freshness and a lake dataset: ${int(r.samples ?? 0)} samples, ${int(r.bytes ?? 0)} bytes of exposition text.`,
    '',
    '| Path | p50 | p90 | p99 |',
    '|---|---:|---:|---:|',
    `| In-process render (collectors + text) | ${ms(render.p50Ms ?? 0)} | ${ms(render.p90Ms ?? 0)} | ${ms(render.p99Ms ?? 0)} |`,
    `| HTTP GET /metrics (standalone server) | ${ms(http.p50Ms ?? 0)} | ${ms(http.p90Ms ?? 0)} | ${ms(http.p99Ms ?? 0)} |`,
    '',
    `Target: under 50 ms: ${verdict((http.p50Ms ?? Infinity) < 50)} (p50 over HTTP).  `,
    `Command: \`${r.command}\``,
  ].join('\n');
}

/** The observability overhead section. */
export function overheadSection(r) {
  const title = '## Observability overhead: metrics and tracing on versus off';
  if (r.error)
    return [title, '', `Failed: \`${r.error}\`.  `, `Command: \`${r.command}\``].join('\n');
  const pct = (v) => `${v.toFixed(1)}%`;
  const rounds = (xs) => xs.map((x) => Math.round(x).toLocaleString('en-US')).join(', ');
  const cpu = (off, on, added) =>
    `${off.toFixed(0)} → ${on.toFixed(0)} µs (${added >= 0 ? '+' : ''}${pct(added)})`;
  return [
    title,
    '',
    `Each workload ran once each way unmeasured, then ${r.rounds} time(s) each way, alternating (all HTTP rounds, then all fan-out rounds, then the fan-out rounds with every attempt traced); "on" records Prometheus metrics and exports OpenTelemetry spans over OTLP/HTTP (protobuf, from the span thread) to a receiver in its own process (${int(r.otlpBytesReceived)} bytes received). The observability is made once for the benchmark process, as \`marketlake up\` makes it once, and a fan-out round's time runs until its spans are exported. Throughput is the mean over rounds; the loss is the median of the rounds' own on/off ratios (each round ran both back to back), the loss of the means in brackets. The benchmark process (server, runtime and hooks; not autocannon, not the task processes) also records its CPU time per request or task, off → on: where the cost observability adds is paid (this figure is noisy too on a shared 2-core machine).`,
    '',
    '| Workload | Off | On | Throughput lost | CPU per request / task | Target |',
    '|---|---:|---:|---:|---:|---|',
    `| HTTP: autocannon, 50 connections, ${r.seconds} s, GET /api/datasets | ${int(Math.round(r.httpOffRps))} req/s | ${int(Math.round(r.httpOnRps))} req/s | ${pct(r.httpLossPct)} (${pct(r.httpMeanLossPct)}) | ${cpu(r.httpCpuOffUs, r.httpCpuOnUs, r.httpCpuAddedPct)} | at most 5%: ${verdict(r.httpLossPct <= 5)} |`,
    `| Fan-out of ${int(r.fanout)} no-op tasks | ${r.fanoutOffTasksPerSec.toFixed(0)} tasks/s | ${r.fanoutOnTasksPerSec.toFixed(0)} tasks/s | ${pct(r.fanoutLossPct)} (${pct(r.fanoutMeanLossPct)}) | ${cpu(r.fanoutCpuOffUs, r.fanoutCpuOnUs, r.fanoutCpuAddedPct)} | at most 5%: ${verdict(r.fanoutLossPct <= 5)} |`,
    ...(r.allAttemptsLossPct !== undefined
      ? [
          `| The same fan-out, every attempt traced (\`MARKETLAKE_OTLP_ATTEMPT_SAMPLE_EVERY=1\`) | ${r.allAttemptsOffTasksPerSec.toFixed(0)} tasks/s | ${r.allAttemptsOnTasksPerSec.toFixed(0)} tasks/s | ${pct(r.allAttemptsLossPct)} (${pct(r.allAttemptsMeanLossPct)}) | ${cpu(r.allAttemptsCpuOffUs, r.allAttemptsCpuOnUs, r.allAttemptsCpuAddedPct)} | (not the default; shown for comparison) |`,
        ]
      : []),
    '',
    `By default a run's first 100 attempts get a span each, and of the plain ones after them (succeeded on the first try, under 1 s, no rows written, no HTTP requests) one in 10 does; the run's span counts the others (\`marketlake.attempts_not_traced\`). The fan-out above has ${int(r.fanout)} attempts in its run, so ${int(Math.min(r.fanout, 100) + Math.ceil(Math.max(0, r.fanout - 100) / 10))} of them are traced in "on"; a run of up to 100 attempts is traced whole.`,
    '',
    `Rounds (off; on): HTTP ${rounds(r.httpOffRounds)}; ${rounds(r.httpOnRounds)} req/s. Fan-out ${rounds(r.fanoutOffRounds)}; ${rounds(r.fanoutOnRounds)} tasks/s.`,
    '',
    `Command: \`${r.command}\``,
  ].join('\n');
}
