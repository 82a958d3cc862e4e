import { metricsSection, overheadSection, pipelinesSection } from './report-pipelines.js';
const GiB = 2 ** 30;
const MiB = 2 ** 20;
const RATIO_TARGET = 1.3;
const RSS_TARGET_BYTES = GiB;
const P99_TARGET_MS = 20;

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes) => `${(bytes / MiB).toFixed(0)} MiB`;
const ms = (v) => `${v.toFixed(2)} ms`;
const int = (n) => Number(n).toLocaleString('en-US');
const verdict = (ok) => (ok ? '**met**' : '**missed**');

/** What each tool in an import table does, so the comparison can be judged. */
const WHAT = {
  marketlake:
    '`lake.import` into `bars_1d` (= `marketlake lake import`): CSV read with the required prices typed by the reader (a blank or bad price is a rejected line with its line number) and the other columns as text typed with TRY_CAST, row checks, duplicate-key check, quarantine, partition by year, one zstd file per year sorted by (symbol, date), key stats, fsync, rename, catalog commit (SQLite), manifest',
  'marketlake-file-drop':
    '`ingestDroppedFile` with a vendor mapping (the inbox path of market data: mapping, `source` and `ingested_at` constants, archive of the original, then the same import); the file is copied into the inbox untimed',
  'duckdb-copy':
    '`COPY (SELECT symbol, date, open, high, low, close, volume FROM read_csv(file)) TO one.parquet (FORMAT parquet, COMPRESSION zstd)`: auto-detected types, no checks, no sort, one file',
  'duckdb-partitioned':
    "typed `read_csv` + `ORDER BY symbol, date` + `PARTITION_BY (year)`, zstd, 16,384-row groups, one statement: same layout as marketlake, no checks (DuckDB's partitioned writer keeps only runs of the order inside each file)",
  'duckdb-per-partition':
    "typed `read_csv` into a temp table, then one `COPY (... WHERE year = Y ORDER BY symbol, date)` per year, zstd, 16,384-row groups: marketlake's plan without checks, quarantine, stats and commit",
};

const failedNote = (r) =>
  r.failures?.length ? ` ${r.failures.length} run(s) failed: \`${r.failures[0]}\`` : '';

function importSection(s, config) {
  const ml = s.results.find((r) => r.tool === 'marketlake' && r.runs > 0);
  const lines = [
    `## ${s.title}`,
    '',
    `Input: \`${s.file}\` (${int(s.fileBytes)} bytes; ${s.rowsNote}).`,
    '',
  ];
  lines.push(
    '| Tool | Wall time (median) | Runs (s) | Peak RSS (max) | marketlake / tool | Rows written | Files |',
  );
  lines.push('|---|---:|---|---:|---:|---:|---:|');
  for (const r of s.results) {
    if (r.runs === 0) {
      lines.push(`| ${r.tool} | failed | | | | | |`);
      continue;
    }
    const ratio = ml && r !== ml ? `${(ml.wallMs / r.wallMs).toFixed(2)}x` : '';
    const rows =
      r.quarantined !== undefined
        ? `${int(r.rows)} (+${int(r.quarantined)} quarantined)`
        : int(r.rows);
    const runs = r.wallMsAll.map((v) => (v / 1000).toFixed(2)).join(', ');
    lines.push(
      `| ${r.tool} | ${seconds(r.wallMs)} | ${runs} | ${mib(r.peakRssBytes)} | ${ratio} | ${rows} | ${r.files} |`,
    );
  }
  lines.push('', 'What each tool does:', '');
  for (const r of s.results) {
    lines.push(
      `- **${r.tool}**: ${WHAT[r.tool] ?? ''}.${failedNote(r)}  \n  Command: \`${r.command}\``,
    );
  }
  const copy = s.results.find((r) => r.tool === 'duckdb-copy' && r.runs > 0);
  lines.push('');
  if (!ml)
    lines.push(
      'Target: marketlake within 1.3x of raw DuckDB `COPY`: **missed** (the import failed).',
    );
  else if (copy) {
    const ratio = ml.wallMs / copy.wallMs;
    lines.push(
      `Target: marketlake within ${RATIO_TARGET}x of raw DuckDB \`COPY\`: ${verdict(ratio <= RATIO_TARGET)} (${ratio.toFixed(2)}x).`,
    );
  }
  const drop = s.results.find((r) => r.tool === 'marketlake-file-drop' && r.runs > 0);
  if (drop && copy) {
    const ratio = drop.wallMs / copy.wallMs;
    lines.push(
      `Target (market data): the file-drop path within 1.5x of the raw import benchmark: ${verdict(ratio <= 1.5)} (${ratio.toFixed(2)}x raw DuckDB \`COPY\`; ${(drop.wallMs / ml.wallMs).toFixed(2)}x \`lake.import\`).`,
    );
  }
  if (ml && s.id === 'import-generated') {
    lines.push(
      `Target: peak RSS under 1 GiB: ${verdict(ml.peakRssBytes < RSS_TARGET_BYTES)} (${mib(ml.peakRssBytes)}).`,
    );
  }
  if (config.scale !== 'full')
    lines.push('', `_Scale ${config.scale}: the targets apply to the full-size inputs only._`);
  return lines.join('\n');
}

function pointSection(s, config) {
  const b = s.build;
  const lines = [`## Point read: one symbol, ${s.years} years of daily bars`, ''];
  if (b.error) {
    lines.push(
      `Building the lake of ${int(s.symbols)} symbols x ${s.years} years failed: \`${b.error}\`.  `,
      `Command: \`${b.command}\``,
    );
    return lines.join('\n');
  }
  lines.push(
    `Lake: ${int(s.symbols)} symbols x ${s.years} years = ${int(b.rows)} rows in ${b.files} files (${mib(b.bytes)}), written through \`lake.write({ sql })\`, one write per year, in ${seconds(b.wallMs)}.  `,
    `Command: \`${b.command}\``,
    '',
    `Each reader makes ${int(config.reads)} reads of a random symbol (fixed seed) after ${int(config.warmup)} warm-up reads, in-process, one at a time; a read returns all columns as JSON row objects ordered by date.`,
    '',
    '| Reader | p50 | p90 | p99 | max | mean | Rows per read | Peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of s.readers) {
    if (r.error) lines.push(`| ${r.tool} | failed | | | | | | |`);
    else {
      lines.push(
        `| ${r.tool} | ${ms(r.p50Ms)} | ${ms(r.p90Ms)} | ${ms(r.p99Ms)} | ${ms(r.maxMs)} | ${ms(r.meanMs)} | ${int(r.rowsPerRead)} | ${mib(r.peakRssBytes)} |`,
      );
    }
  }
  lines.push('');
  for (const r of s.readers) {
    const what = {
      marketlake:
        "`lake.read('bars_1d', { where: { symbol } })`: resolves the head version and its file list in the catalog, prunes files by key range, then reads the Parquet files directly (`src/lake/direct-read.ts`): footers parsed once per file, row groups chosen by the symbol's min/max, only those column chunks read, decompressed (zstd) and decoded, rows built as JSON objects",
      'marketlake-duckdb':
        "the same `lake.read` with `directReads: false`, the path every read other than a key lookup takes: the query as a prepared statement cached per version on a long-lived DuckDB connection, rows converted from the result vectors' arrays (`src/lake/json-rows.ts`)",
      duckdb:
        'one prepared `SELECT ... FROM read_parquet(<lake>/bars_1d/*/*.parquet) WHERE symbol = $1 ORDER BY symbol, date` on one connection, same DuckDB settings (1 GB, Parquet metadata cache on), rows converted by the DuckDB Node API (`getRowObjectsJson`)',
    }[r.tool];
    const failure = r.error ? ` Failed: \`${r.error}\`` : '';
    lines.push(`- **${r.tool}**: ${what}.${failure}  \n  Command: \`${r.command}\``);
  }
  const ml = s.readers.find((r) => r.tool === 'marketlake');
  if (ml && !ml.error)
    lines.push(
      '',
      `Target: p99 under ${P99_TARGET_MS} ms: ${verdict(ml.p99Ms < P99_TARGET_MS)} (${ms(ml.p99Ms)}).`,
    );
  if (config.scale !== 'full')
    lines.push('', `_Scale ${config.scale}: the target applies to the full-size lake only._`);
  return lines.join('\n');
}

/** The Markdown report (BENCHMARKS.md) of one run. */
export function renderReport({ config, machine, sections }) {
  const command = `BENCH_SCALE=${config.scale} npm run bench`;
  const m = machine;
  const head = [
    '# Benchmarks',
    '',
    `Produced by \`${command}\` (\`npm run build --silent && node bench/run.js\`) on ${m.date.slice(0, 10)}, commit ${m.commit}. Every figure below comes from one child process whose exact command is given; \`bench/run.js\` only orchestrates them and writes this file (raw results: \`bench/.work/results-${config.scale}.json\`).`,
    '',
    '| Machine | |',
    '|---|---|',
    `| CPU | ${m.cpuModel}, ${m.cores} cores |`,
    `| Memory | ${(m.memoryBytes / GiB).toFixed(1)} GiB |`,
    `| OS | ${m.os} |`,
    `| Node.js | ${m.node} |`,
    `| DuckDB | ${m.duckdb} (@duckdb/node-api) |`,
    `| Date | ${m.date} |`,
    '',
    '## Method',
    '',
    '- Every measurement runs in a fresh Node.js process that imports the built `dist/` (so caches start cold inside the process and peak RSS is its own); the input file is read once beforehand so the page cache is warm for all tools alike.',
    "- Wall time is measured inside the process around the operation only (opening DuckDB and the metadata store is excluded; it is the same few tens of milliseconds for every tool). Peak RSS is the process's `VmHWM` from `/proc/self/status` at the end: it includes Node.js itself and DuckDB's native memory.",
    `- Imports: median of ${config.repeat} run(s) per tool, the tools interleaved and their order rotated each round. All tools use the same DuckDB settings as the lake (memory_limit ${config.memoryLimit || '512MB'}, one thread per core, spill folder, zstd).`,
    '- Raw DuckDB is measured in three variants, because a plain COPY does less work than an import: the ratio against `duckdb-copy` is the one the target names, the others show where the time goes.',
  ];
  const body = sections.map((s) =>
    s.id === 'point-read'
      ? pointSection(s, config)
      : s.id.startsWith('pipelines')
        ? pipelinesSection(s)
        : s.id === 'metrics-scrape'
          ? metricsSection(s)
          : s.id === 'observe-overhead'
            ? overheadSection(s)
            : importSection(s, config),
  );
  return [...head, '', ...body.flatMap((b) => [b, '']), ''].join('\n').replace(/\n{3,}/g, '\n\n');
}
