import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lake } from '../src/lake/index.js';
import { openMetaStore } from '../src/meta/index.js';
import type { MetaStore } from '../src/meta/index.js';
import { backends } from './helpers/backends.js';
import type { TestBackend } from './helpers/backends.js';
import { distModule, runNode } from './helpers/dist.js';
import type { ChildResult } from './helpers/dist.js';
import { makeTempDir, removeDir, withTempDir } from './helpers/temp-dir.js';
import { mulberry32 } from '../bench/lib/random.js';

/*
 * Crash safety of the lake's commit protocol (issue 2): an import runs in a child process that is
 * killed with SIGKILL at each failpoint of src/lake/write-commit.ts (and once from outside, mid
 * staging). The test process then reopens the metadata store and the lake and proves that
 * committed versions read back exactly, no partial version is visible, the debris is on disk
 * until `lake.vacuum()` removes it, the manifest is repaired and the next import succeeds.
 */

const DATASET = 'bars_1d';
const COLUMNS = ['symbol', 'date', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Canonical text of one bar: what a reader must get back, byte for byte. */
type Bars = Map<string, string>;

const keyOf = (symbol: string, date: string): string => `${symbol}|${date}`;

/**
 * Writes a vendor-style CSV (columns in a different order than the dataset, as the S&P file has)
 * of weekday bars for symbols S<from>..S<to-1> over whole years, and returns the bars it holds.
 */
function writeBarsCsv(
  file: string,
  symbols: [number, number],
  years: [number, number],
  seed: number,
): Bars {
  const random = mulberry32(seed);
  const bars: Bars = new Map();
  const lines = ['date,open,high,low,close,volume,symbol'];
  for (let s = symbols[0]; s < symbols[1]; s++) {
    const symbol = `S${String(s).padStart(3, '0')}`;
    let price = 50 + random() * 100;
    for (
      let day = Date.UTC(years[0], 0, 1);
      day < Date.UTC(years[1] + 1, 0, 1);
      day += 86_400_000
    ) {
      const weekday = new Date(day).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      const date = new Date(day).toISOString().slice(0, 10);
      const open = price;
      const close = Math.max(1, open * (1 + (random() - 0.5) * 0.04));
      const high = Math.max(open, close) * (1 + random() * 0.01);
      const low = Math.min(open, close) * (1 - random() * 0.01);
      const volume = Math.floor(random() * 1e6);
      price = close;
      const text = [open, high, low, close].map((v) => v.toFixed(2));
      lines.push(`${date},${text.join(',')},${volume},${symbol}`);
      bars.set(keyOf(symbol, date), canonical([symbol, date, ...text.map(Number), volume]));
    }
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return bars;
}

function canonical(values: readonly unknown[]): string {
  return values.map((v) => String(v)).join(',');
}

/** Row count and SHA-256 of the canonical rows in primary-key order. */
function summarize(lines: Iterable<[string, string]>): { rows: number; sha256: string } {
  const sorted = [...lines].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const hash = createHash('sha256');
  for (const [, line] of sorted) hash.update(line + '\n');
  return { rows: sorted.length, sha256: hash.digest('hex') };
}

/** What a version of bars_1d holds, read through the lake's public read path. */
async function readSummary(lake: Lake, version: number): Promise<{ rows: number; sha256: string }> {
  const result = await lake.read(DATASET, { version, columns: [...COLUMNS] });
  expect(result.version).toBe(version);
  return summarize(
    result.rows.map((r) => {
      const values = COLUMNS.map((c) =>
        c === 'symbol' || c === 'date' ? String(r[c]) : Number(r[c]),
      );
      return [keyOf(String(r['symbol']), String(r['date'])), canonical(values)];
    }),
  );
}

/** Parquet files under the dataset folder, as lake-relative paths (Hive tools ignore `_` folders). */
function parquetOnDisk(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('_') || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.parquet'))
        out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(path.join(root, DATASET));
  return out.sort();
}

/** Staging folders of bars_1d writes, each with the files in it. */
function stagingOnDisk(root: string): { dir: string; files: string[] }[] {
  const staging = path.join(root, '_staging');
  if (!existsSync(staging)) return [];
  return readdirSync(staging)
    .filter((e) => e.startsWith(`${DATASET}--`))
    .map((e) => ({ dir: e, files: readdirSync(path.join(staging, e)) }));
}

function manifestOnDisk(root: string): string[] {
  const file = path.join(root, DATASET, '_symlink_format_manifest', 'manifest');
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).sort();
}

/** Runs the import of one CSV in a child process that uses the built dist/. */
function childArgs(script: string, url: string, root: string, csv: string): string[] {
  return [
    script,
    pathToFileURL(distModule('meta/index.js')).href,
    pathToFileURL(distModule('lake/index.js')).href,
    url,
    root,
    csv,
  ];
}

const CHILD_SCRIPT = `
const [metaModule, lakeModule, url, root, csv] = process.argv.slice(2);
const { openMetaStore } = await import(metaModule);
const { Lake } = await import(lakeModule);
const store = await openMetaStore(url);
const lake = await Lake.open({ store, root });
try {
  const result = await lake.import('bars_1d', [csv], { writer: 'crash-child' });
  process.stdout.write(JSON.stringify({ version: result.version, rows: result.rowsImported }));
} finally {
  lake.close();
  await store.close();
}
`;

/** Polls `check` until it returns a value, or fails after `timeoutMs` (never decides by sleeping). */
async function pollUntil<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs: number,
  intervalMs = 2,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// Version 1: 20 symbols over 2014-2019. The crashing import: 20 symbols over 2016-2023, ten of
// which (S010-S019) already exist in 2016-2019 with other prices, so it merges four partitions
// with existing files (upsert) and creates four new ones: eight files per attempt.
const CRASH_PARTITIONS = 8;
let dataDir = '';
let baseCsv = '';
let crashCsv = '';
let childScript = '';
let expectedV1 = { rows: 0, sha256: '' };
let expectedV2 = { rows: 0, sha256: '' };

beforeAll(() => {
  dataDir = makeTempDir();
  baseCsv = path.join(dataDir, 'bars-base.csv');
  crashCsv = path.join(dataDir, 'bars-crash.csv');
  childScript = path.join(dataDir, 'import-child.mjs');
  writeFileSync(childScript, CHILD_SCRIPT);
  const v1 = writeBarsCsv(baseCsv, [0, 20], [2014, 2019], 1);
  const update = writeBarsCsv(crashCsv, [10, 30], [2016, 2023], 2);
  const v2 = new Map([...v1, ...update]);
  expectedV1 = summarize(v1);
  expectedV2 = summarize(v2);
  // Guards the fixture itself: the crash import must overlap version 1 (merge path) and add rows.
  expect([...update.keys()].filter((k) => v1.has(k)).length).toBeGreaterThan(10_000);
  expect(expectedV2.rows).toBeGreaterThan(expectedV1.rows);
});

afterAll(() => {
  if (dataDir) removeDir(dataDir);
});

/** How a child import is stopped, and what the lake must look like right after. */
interface CrashCase {
  name: string;
  /** Failpoint to arm, or undefined for an external SIGKILL from the test. */
  failpoint?: string;
  /** Head version after the crash. */
  head: 1 | 2;
  /** Whether staged Parquet files are left in the staging folder. */
  stagedFiles: boolean;
  /** Renamed but uncommitted files left in the dataset folder. */
  orphans: number;
}

const cases: CrashCase[] = [
  {
    name: 'during staging (lake.write.staging)',
    failpoint: 'lake.write.staging',
    head: 1,
    stagedFiles: true,
    orphans: 0,
  },
  {
    name: 'after rename (lake.write.renamed)',
    failpoint: 'lake.write.renamed',
    head: 1,
    stagedFiles: false,
    orphans: CRASH_PARTITIONS,
  },
  {
    name: 'before the catalog commit (lake.commit.before)',
    failpoint: 'lake.commit.before',
    head: 1,
    stagedFiles: false,
    orphans: CRASH_PARTITIONS,
  },
  {
    name: 'after the catalog commit (lake.commit.after)',
    failpoint: 'lake.commit.after',
    head: 2,
    stagedFiles: false,
    orphans: 0,
  },
  {
    name: 'by an external SIGKILL while the second staged file is written',
    head: 1,
    stagedFiles: true,
    orphans: 0,
  },
];

async function openLake(url: string, root: string): Promise<{ store: MetaStore; lake: Lake }> {
  const store = await openMetaStore(url);
  // A short lease wait: the dead child's lease must be taken over at once, not after a timeout.
  // Two threads and 512 MB, as the other lake tests use, so suites running side by side fit.
  const lake = await Lake.open({
    store,
    root,
    writeLockWaitMs: 10_000,
    threads: 2,
    memoryLimit: '512MB',
  });
  return { store, lake };
}

async function withLake<T>(url: string, root: string, fn: (lake: Lake) => Promise<T>): Promise<T> {
  const { store, lake } = await openLake(url, root);
  try {
    return await fn(lake);
  } finally {
    lake.close();
    await store.close();
  }
}

/** Starts the child import and SIGKILLs it once the staging folder holds two files. */
async function killDuringStaging(args: string[], root: string): Promise<ChildResult> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<ChildResult>((resolve) => {
    // 'close' (not 'exit') fires after the output streams end, so stderr is complete on failure.
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  let done: ChildResult | undefined;
  void exited.then((r) => (done = r));
  await pollUntil(
    'the child to stage its second file',
    () => {
      if (done)
        throw new Error(`The child import ended before it was killed: ${JSON.stringify(done)}`);
      return stagingOnDisk(root).some((s) => s.files.length >= 2) ? true : undefined;
    },
    60_000,
  );
  child.kill('SIGKILL');
  return exited;
}

describe.each(backends)('lake crash safety on $name', (backend: TestBackend) => {
  it.skipIf(backend.skip).each(cases)(
    'recovers from a SIGKILL $name',
    async (c) => {
      await withTempDir(async (dir) => {
        const url = backend.url(dir);
        const root = path.join(dir, 'lake');
        try {
          const first = await withLake(url, root, (lake) =>
            lake.import(DATASET, [baseCsv], { writer: 'setup' }),
          );
          expect(first.version).toBe(1);
          expect(first.rowsImported).toBe(expectedV1.rows);
          const v1Files = (await withLake(url, root, (lake) => lake.files(DATASET, 1)))
            .map((f) => f.path)
            .sort();
          expect(parquetOnDisk(root)).toEqual(v1Files);

          const args = childArgs(childScript, url, root, crashCsv);
          const child = c.failpoint
            ? await runNode(args, {
                env: { MARKETLAKE_FAILPOINTS: c.failpoint },
                timeoutMs: 120_000,
              })
            : await killDuringStaging(args, root);
          expect({ signal: child.signal, stdout: child.stdout }, child.stderr).toEqual({
            signal: 'SIGKILL',
            stdout: '',
          });

          // What the crash left on disk, before anything repairs it: proof that the kill happened
          // mid-protocol.
          const staging = stagingOnDisk(root);
          expect(staging).toHaveLength(1);
          if (c.stagedFiles) expect(staging[0]?.files.length).toBeGreaterThanOrEqual(1);
          else expect(staging[0]?.files).toEqual([]);
          const onDiskBefore = parquetOnDisk(root);
          const manifestBefore = manifestOnDisk(root);

          const { store, lake } = await openLake(url, root);
          try {
            const dataset = await lake.dataset(DATASET);
            expect(dataset.headVersion).toBe(c.head);
            expect((await lake.history(DATASET)).map((v) => v.version)).toEqual(
              c.head === 2 ? [2, 1] : [1],
            );
            expect(await readSummary(lake, 1)).toEqual(expectedV1);
            const absolute = (files: { path: string }[]): string[] =>
              files.map((f) => path.join(root, ...f.path.split('/'))).sort();
            const headFiles = await lake.files(DATASET);
            if (c.head === 2) {
              expect(await readSummary(lake, 2)).toEqual(expectedV2);
              // The manifest is derived data written after the commit: the crash left it at version 1.
              expect(manifestBefore).toEqual(absolute(v1Files.map((p) => ({ path: p }))));
            } else {
              expect(manifestBefore).toEqual(absolute(headFiles));
            }
            // The default read (head) sees exactly one committed version, never the crashed write.
            const headRead = await lake.read(DATASET, {
              columns: ['symbol'],
              where: { symbol: 'S025' },
            });
            expect(headRead.rows.length > 0).toBe(c.head === 2);
            // So does SQL, whose views list the head version's files.
            const counted = await lake.query(`SELECT count(*) AS n FROM ${DATASET}`);
            expect(Number(counted.rows[0]?.['n'])).toBe(
              c.head === 2 ? expectedV2.rows : expectedV1.rows,
            );

            const catalogued = new Set<string>();
            for (const v of await lake.history(DATASET))
              for (const f of await lake.files(DATASET, v.version)) catalogued.add(f.path);
            const orphans = onDiskBefore.filter((p) => !catalogued.has(p));
            expect(orphans).toHaveLength(c.orphans);
            expect(onDiskBefore.filter((p) => catalogued.has(p))).toEqual([...catalogued].sort());

            const vacuumed = await lake.vacuum({ dataset: DATASET });
            expect(vacuumed[DATASET]).toMatchObject({
              stagingRemoved: 1,
              orphansRemoved: c.orphans,
              versionsRemoved: 0,
              filesRemoved: 0,
            });
            expect(stagingOnDisk(root)).toEqual([]);
            expect(parquetOnDisk(root)).toEqual([...catalogued].sort());
            expect(manifestOnDisk(root)).toEqual(absolute(headFiles));
            expect(await readSummary(lake, 1)).toEqual(expectedV1);

            // The next import takes over the dead child's lease and commits on top of the head.
            const second = await lake.import(DATASET, [crashCsv], { writer: 'after-crash' });
            expect(second.version).toBe(c.head + 1);
            expect(await readSummary(lake, second.version)).toEqual(expectedV2);
            expect(await readSummary(lake, 1)).toEqual(expectedV1);
            expect(manifestOnDisk(root)).toEqual(absolute(await lake.files(DATASET)));
            expect(stagingOnDisk(root)).toEqual([]);
          } finally {
            lake.close();
            await store.close();
          }
        } finally {
          await backend.cleanup(url);
        }
      });
      // Two child processes and several full reads per case: generous on a loaded 2-core CI box.
    },
    120_000,
  );
});
