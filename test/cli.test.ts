import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/program.js';
import { runCli, type ChildResult } from './helpers/dist.js';
import { sharedFile } from './helpers/shared-data.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';

/*
 * The built CLI end to end (`node bin/marketlake.js ...`; `npm test` builds first). Every test
 * runs in a fresh project folder with MARKETLAKE_HOME inside it, and checks the exit status
 * (0 ok, 1 failure, 2 usage), stdout (one JSON document with --json) and stderr.
 */

const HEADER = 'symbol,date,open,high,low,close,volume';

let project: string;
let home: string;

beforeEach(() => {
  project = makeTempDir();
  home = path.join(project, 'home');
});

afterEach(() => {
  removeDir(project);
});

/** Runs the CLI in the test's project with its home; extra env on top. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return runCli(args, {
    cwd: project,
    env: { MARKETLAKE_HOME: home, MARKETLAKE_DUCKDB_THREADS: '2', ...env },
  });
}

/** Runs the CLI, expects exit status `code`, and returns the result. */
async function expectExit(
  args: string[],
  code: number,
  env?: NodeJS.ProcessEnv,
): Promise<ChildResult> {
  const result = await cli(args, env);
  expect(
    result.code,
    `marketlake ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
  ).toBe(code);
  return result;
}

/** Runs a --json command that must succeed and parses its one JSON document. */
async function json<T = unknown>(args: string[], env?: NodeJS.ProcessEnv): Promise<T> {
  const result = await expectExit(args, 0, env);
  return JSON.parse(result.stdout) as T;
}

function writeFile(name: string, lines: string[]): string {
  const file = path.join(project, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Two good rows; lines 3-5 break bars_1d's checks and line 6 has too few columns. */
function pricesWithBadRows(): string {
  return writeFile('prices.csv', [
    HEADER,
    'AAA,2024-01-02,10,11,9,10.5,1000',
    'AAA,2024-01-03,,11,9,10.5,1000',
    'AAA,2024-01-04,10,11,9,10.5,-5',
    'AAA,2024-01-05,10,8,9,10.5,1000',
    'AAA,2024-01-08,10,11,9',
    'BBB,2024-01-02,20,21,19,20.5,2000',
  ]);
}

async function countRows(dataset = 'bars_1d'): Promise<number> {
  const rows = await json<{ n: string }[]>([
    'lake',
    'query',
    `SELECT count(*) AS n FROM ${dataset}`,
    '--json',
  ]);
  return Number(rows[0]?.n);
}

interface ImportJson {
  dataset: string;
  version: number;
  rowsImported: number;
  rowsQuarantined: number;
  files: string[];
  importId: string;
}

describe('marketlake init', () => {
  it('scaffolds a project whose config loads, and refuses to overwrite without --force', async () => {
    const created = await expectExit(['init', 'my-market'], 0);
    const dir = path.join(project, 'my-market');
    expect(created.stdout).toContain(dir);
    for (const f of ['marketlake.config.ts', 'pipelines/README.md', 'inbox', '.gitignore'])
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    const config = path.join(dir, 'marketlake.config.ts');
    expect(readFileSync(config, 'utf8')).toContain("import { defineConfig } from 'marketlake'");

    // The scaffolded file loads (import from 'marketlake' without node_modules) and sets the port.
    const shown = await json<{
      file: string;
      values: { key: string; value: string; source: string }[];
    }>(['--project', 'my-market', 'config', '--json']);
    expect(shown.file).toBe(config);
    expect(shown.values.find((v) => v.key === 'port')).toEqual({
      key: 'port',
      value: '7420',
      source: 'file',
    });

    writeFileSync(config, '// edited by the user\n' + readFileSync(config, 'utf8'));
    const refused = await expectExit(['init', 'my-market'], 2);
    expect(refused.stderr).toContain('already exists');
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(config, 'utf8')).toContain('edited by the user');

    await expectExit(['init', 'my-market', '--force'], 0);
    expect(readFileSync(config, 'utf8')).not.toContain('edited by the user');
  });
});

describe('marketlake config', () => {
  it('shows each value with its source: defaults < file < env < flags, secrets redacted', async () => {
    writeFileSync(
      path.join(project, 'marketlake.config.ts'),
      "import { defineConfig } from 'marketlake';\nexport default defineConfig({ port: 8100, retentionDays: 30, secrets: { FILE_KEY: 'file-secret-1' } });\n",
    );
    type Shown = { file: string | null; values: { key: string; value: string; source: string }[] };
    const env = { MARKETLAKE_PORT: '8200', MARKETLAKE_SECRET_API_KEY: 'env-secret-2' };
    const byEnv = await json<Shown>(['config', '--json'], env);
    const value = (s: Shown, key: string): { value: string; source: string } | undefined => {
      const row = s.values.find((v) => v.key === key);
      return row && { value: row.value, source: row.source };
    };
    expect(byEnv.file).toBe(path.join(project, 'marketlake.config.ts'));
    expect(value(byEnv, 'port')).toEqual({ value: '8200', source: 'env' });
    expect(value(byEnv, 'retentionDays')).toEqual({ value: '30', source: 'file' });
    expect(value(byEnv, 'host')).toEqual({ value: '127.0.0.1', source: 'default' });
    expect(value(byEnv, 'home')).toEqual({ value: home, source: 'env' });
    expect(value(byEnv, 'lakePath')).toEqual({ value: path.join(home, 'lake'), source: 'default' });
    expect(value(byEnv, 'secrets.API_KEY')).toEqual({ value: '[redacted]', source: 'env' });
    expect(value(byEnv, 'secrets.FILE_KEY')).toEqual({ value: '[redacted]', source: 'file' });

    // --home beats MARKETLAKE_HOME; a relative flag path is relative to the current folder.
    const byFlag = await json<Shown>(['--home', 'flag-home', 'config', '--json'], env);
    expect(value(byFlag, 'home')).toEqual({
      value: path.join(project, 'flag-home'),
      source: 'flag',
    });
    expect(value(byFlag, 'databaseUrl')).toEqual({
      value: `sqlite:${path.join(project, 'flag-home', 'meta.sqlite')}`,
      source: 'default',
    });

    const table = await expectExit(['config'], 0, {
      ...env,
      MARKETLAKE_DATABASE_URL: 'postgres://app:pg-password-3@db.example:5432/market',
    });
    expect(table.stdout).toContain('config file:');
    expect(table.stdout).toMatch(/port\s+8200\s+env/);
    expect(table.stdout).toContain('postgres://app:***@db.example:5432/market');
    for (const secret of ['file-secret-1', 'env-secret-2', 'pg-password-3']) {
      expect(table.stdout + table.stderr).not.toContain(secret);
    }
    const csv = await expectExit(['config', '--csv'], 0, env);
    expect(csv.stdout.split('\n')[0]).toBe('key,value,source');
  });

  it('fails with the key, value, source and accepted values of a bad setting', async () => {
    const badEnv = await expectExit(['config'], 1, { MARKETLAKE_PORT: 'abc' });
    expect(badEnv.stderr).toContain('CONFIG_INVALID');
    expect(badEnv.stderr).toContain('port = "abc"');
    expect(badEnv.stderr).toContain('MARKETLAKE_PORT');
    expect(badEnv.stderr).toContain('0 to 65535');
    // A bad flag value is wrong usage.
    const badFlag = await expectExit(['--log-level', 'loud', 'config'], 2);
    expect(badFlag.stderr).toContain('--log-level');
    expect(badFlag.stderr).toContain('"loud"');
    const missingProject = await expectExit(['--project', 'nowhere', 'config'], 2);
    expect(missingProject.stderr).toContain(path.join(project, 'nowhere'));

    writeFileSync(path.join(project, 'marketlake.config.ts'), 'export default {{ port: 1 };\n');
    const broken = await expectExit(['lake', 'ls'], 1);
    expect(broken.stderr).toContain('CONFIG_LOAD_FAILED');
    expect(broken.stderr).toContain(path.join(project, 'marketlake.config.ts'));
  });
});

describe('marketlake lake import', () => {
  it('imports the good rows, quarantines the bad ones with line numbers, and is idempotent', async () => {
    const file = pricesWithBadRows();
    const before = readFileSync(file, 'utf8');
    const result = await expectExit(
      ['lake', 'import', 'prices.csv', '--dataset', 'bars_1d', '--json'],
      0,
    );
    expect(result.stderr).toBe(''); // no progress bar when stderr is not a terminal
    const first = JSON.parse(result.stdout) as ImportJson;
    expect(Object.keys(first)).toEqual(
      expect.arrayContaining(['dataset', 'version', 'rowsImported', 'rowsQuarantined', 'files']),
    );
    expect(first).toMatchObject({
      dataset: 'bars_1d',
      version: 1,
      rowsImported: 2,
      rowsQuarantined: 4,
    });
    expect(first.files).toHaveLength(1);
    expect(first.files[0]).toMatch(/^bars_1d\/year=2024\/part-[0-9a-f-]+\.parquet$/);
    expect(readFileSync(file, 'utf8')).toBe(before); // the source file is never modified

    const quarantined = await json<
      { line: number; reason: string; raw: string; sourceFile: string; importId: string }[]
    >(['quarantine', '--json']);
    expect(quarantined.map((q) => q.line)).toEqual([3, 4, 5, 6]);
    expect(quarantined.slice(0, 3).map((q) => q.reason)).toEqual([
      'open is blank',
      'volume is negative',
      'high < low',
    ]);
    expect(quarantined[3]).toMatchObject({ raw: 'AAA,2024-01-08,10,11,9' });
    expect(quarantined[3]?.reason).toMatch(/unparseable line.*column/i);
    expect(quarantined[1]).toMatchObject({
      raw: 'AAA,2024-01-04,10,11,9,10.5,-5',
      sourceFile: file,
      importId: first.importId,
    });
    const qcsv = await expectExit(['quarantine', '--csv'], 0);
    expect(qcsv.stdout.split('\n')[0]).toBe(
      'id,dataset,sourceFile,line,reason,raw,importId,createdAt',
    );

    // The human summary names the counts and how to list the bad rows.
    const again = await expectExit(['lake', 'import', 'prices.csv', '--dataset', 'bars_1d'], 0);
    expect(again.stdout).toContain('Imported 2 rows into bars_1d (version 2');
    expect(again.stdout).toContain('4 rows quarantined');
    expect(again.stdout).toContain('marketlake quarantine --import imp_');
    expect(await countRows()).toBe(2);

    const rows = await json<Record<string, unknown>[]>([
      'lake',
      'query',
      'SELECT symbol, date, open, volume FROM bars_1d ORDER BY symbol',
      '--json',
    ]);
    expect(rows).toEqual([
      { symbol: 'AAA', date: '2024-01-02', open: 10, volume: 1000 },
      { symbol: 'BBB', date: '2024-01-02', open: 20, volume: 2000 },
    ]);
  });

  it('commits nothing when --max-bad-rows is exceeded or no row is good', async () => {
    pricesWithBadRows();
    const over = await expectExit(
      ['lake', 'import', 'prices.csv', '--dataset', 'bars_1d', '--max-bad-rows', '1'],
      1,
    );
    expect(over.stderr).toContain('LAKE_IMPORT_REJECTED');
    expect(over.stderr).toContain('--max-bad-rows 1');
    expect(await json(['lake', 'history', 'bars_1d', '--json'])).toEqual([]);

    writeFile('all-bad.csv', [
      HEADER,
      'AAA,2024-01-03,,11,9,10.5,1000',
      'AAA,2024-01-04,10,11,9,10.5,-5',
    ]);
    const allBad = await expectExit(
      ['lake', 'import', 'all-bad.csv', '--dataset', 'bars_1d', '--json'],
      1,
    );
    expect(allBad.stderr).toContain('LAKE_IMPORT_REJECTED');
    expect(allBad.stdout).toBe('');
    expect(await countRows()).toBe(0);

    // The limit is inclusive: four bad rows pass with --max-bad-rows 4.
    const within = await json<ImportJson>([
      'lake',
      'import',
      'prices.csv',
      '--dataset',
      'bars_1d',
      '--max-bad-rows',
      '4',
      '--json',
    ]);
    expect(within).toMatchObject({ version: 1, rowsImported: 2, rowsQuarantined: 4 });
  });

  it('fails on a missing file (exit 1, path named) and on wrong usage (exit 2)', async () => {
    pricesWithBadRows();
    const [missing, unknownDataset, noDataset, xml, unknown, ...others] = await Promise.all([
      expectExit(['lake', 'import', 'no-such-file.csv', '--dataset', 'bars_1d'], 1),
      expectExit(['lake', 'import', 'prices.csv', '--dataset', 'bars_9d'], 1),
      expectExit(['lake', 'import', 'prices.csv'], 2),
      expectExit(['lake', 'import', 'prices.csv', '--dataset', 'bars_1d', '--format', 'xml'], 2),
      expectExit(['frobnicate'], 2),
      expectExit(
        ['lake', 'import', 'prices.csv', '--dataset', 'bars_1d', '--max-bad-rows', 'many'],
        2,
      ),
      expectExit(['lake', 'import', 'prices.csv', '--dataset', 'bars_1d', '--mode', 'merge'], 2),
      expectExit(['lake', 'import', 'prices.csv', '--dataset', 'bars_1d', '--map', 'nonsense'], 2),
      expectExit(['lake', 'import', '--dataset', 'bars_1d'], 2),
      expectExit(['lake', 'frobnicate'], 2),
      expectExit(['lake', 'ls', '--no-such-flag'], 2),
      expectExit(['lake', 'query', 'SELECT 1', '--max-rows', '0'], 2),
      expectExit(['quarantine', '--limit', 'all'], 2),
      expectExit(['lake'], 2),
    ]);
    expect(missing.stderr).toContain(path.join(project, 'no-such-file.csv'));
    expect(missing.stderr).toContain('LAKE_IMPORT_FILE');
    expect(unknownDataset.stderr).toContain('LAKE_DATASET_NOT_FOUND');
    expect(noDataset.stderr).toContain("required option '--dataset <name>' not specified");
    expect(xml.stderr).toContain('--format must be csv or parquet, got "xml"');
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    for (const r of others) expect(r.stderr).toMatch(/error|Usage/);
    expect(await countRows()).toBe(0);
  });

  it('imports a KRX-style file (YYYYMMDD dates, Korean names in an extra column) with --map code=symbol', async () => {
    writeFile('005930_D.csv', [
      'date,open,high,low,close,volume,ticker,code,name,interval',
      '19980103,1000,1100,990,1050,1200,005930,005930,삼성전자,D',
      '19980105,1050,1080,1000,1010,1500,005930,005930,삼성전자,D',
      '20231222,75800,76300,75400,75900,13000000,005930,005930,삼성전자,D',
    ]);
    const result = await json<ImportJson>([
      'lake',
      'import',
      '005930_D.csv',
      '--dataset',
      'bars_1d',
      '--map',
      'code=symbol',
      '--set',
      'source=krx',
      '--json',
    ]);
    expect(result).toMatchObject({ rowsImported: 3, rowsQuarantined: 0 });
    expect(result.files.map((f) => f.split('/')[1]).sort()).toEqual(['year=1998', 'year=2023']);
    const rows = await json<Record<string, unknown>[]>([
      'lake',
      'query',
      'SELECT symbol, CAST(date AS VARCHAR) AS d, close, source, dayname(date) AS day FROM bars_1d ORDER BY date',
      '--json',
    ]);
    expect(rows).toEqual([
      { symbol: '005930', d: '1998-01-03', close: 1050, source: 'krx', day: 'Saturday' },
      { symbol: '005930', d: '1998-01-05', close: 1010, source: 'krx', day: 'Monday' },
      { symbol: '005930', d: '2023-12-22', close: 75900, source: 'krx', day: 'Friday' },
    ]);
  });

  const krx = sharedFile('krx/005930_D.csv.gz');
  it.skipIf(!krx)(
    'imports the real Samsung Electronics file, Saturday sessions before 1998 included',
    async () => {
      const result = await json<ImportJson>([
        'lake',
        'import',
        krx!,
        '--dataset',
        'bars_1d',
        '--map',
        'code=symbol',
        '--json',
      ]);
      expect(result).toMatchObject({ rowsImported: 8343, rowsQuarantined: 0 });
      const [stats] = await json<Record<string, string>[]>([
        'lake',
        'query',
        `SELECT count(*) AS n, count(DISTINCT symbol) AS symbols, CAST(min(date) AS VARCHAR) AS first, CAST(max(date) AS VARCHAR) AS last,
              count(*) FILTER (WHERE dayofweek(date) = 6 AND date < DATE '1998-12-07') AS saturdays_before,
              count(*) FILTER (WHERE dayofweek(date) = 6 AND date >= DATE '1998-12-07') AS saturdays_after
       FROM bars_1d`,
        '--json',
      ]);
      expect(stats).toMatchObject({
        n: '8343',
        symbols: '1',
        first: '1990-09-11',
        last: '2023-12-22',
        saturdays_after: '0',
      });
      expect(Number(stats?.['saturdays_before'])).toBeGreaterThan(300);
    },
  );
});

describe('marketlake lake (listing, query, maintenance)', () => {
  it('ls, describe, history, query (--json and --csv), compact and vacuum', async () => {
    writeFile('a.csv', [
      HEADER,
      'AAA,2023-01-03,10,11,9,10.5,1000',
      'AAA,2024-01-02,10,11,9,10.5,1000',
    ]);
    writeFile('b.csv', [
      HEADER,
      'BBB,2023-01-03,20,21,19,20.5,2000',
      'BBB,2024-01-02,20,21,19,20.5,2000',
    ]);
    await json(['lake', 'import', 'a.csv', '--dataset', 'bars_1d', '--json']);
    await json(['lake', 'import', 'b.csv', '--dataset', 'bars_1d', '--json']);

    // Read-only commands run side by side, as users and scripts do.
    const [
      ls,
      lsTable,
      lsCsv,
      described,
      describedText,
      unknown,
      history,
      query,
      csv,
      empty,
      capped,
      forbidden,
      writes,
      failed,
    ] = await Promise.all([
      expectExit(['lake', 'ls', '--json'], 0),
      expectExit(['lake', 'ls'], 0),
      expectExit(['lake', 'ls', '--csv'], 0),
      expectExit(['lake', 'describe', 'bars_1d', '--json'], 0),
      expectExit(['lake', 'describe', 'bars_1d'], 0),
      expectExit(['lake', 'describe', 'nope'], 1),
      expectExit(['lake', 'history', 'bars_1d', '--json'], 0),
      expectExit(
        [
          'lake',
          'query',
          'SELECT symbol, count(*) AS n FROM bars_1d GROUP BY symbol ORDER BY symbol',
          '--json',
        ],
        0,
      ),
      expectExit(
        [
          'lake',
          'query',
          "SELECT symbol, 'a,b' AS text, close FROM bars_1d WHERE symbol = 'AAA' ORDER BY date",
          '--csv',
        ],
        0,
      ),
      expectExit(['lake', 'query', "SELECT symbol FROM bars_1d WHERE symbol = 'ZZZ'", '--csv'], 0),
      expectExit(['lake', 'query', 'SELECT * FROM range(5)', '--max-rows', '2', '--json'], 0),
      expectExit(['lake', 'query', `SELECT * FROM read_csv('${path.join(project, 'a.csv')}')`], 1),
      expectExit(['lake', 'query', `COPY bars_1d TO '${path.join(project, 'out.parquet')}'`], 1),
      expectExit(['lake', 'query', 'SELECT nope FROM bars_1d'], 1),
    ]);

    const datasets = JSON.parse(ls.stdout) as {
      name: string;
      version: number;
      rows: number;
      files: number;
      builtin: boolean;
      partitioning: string;
    }[];
    expect(datasets.map((d) => d.name)).toEqual(
      expect.arrayContaining(['bars_1d', 'bars_1m', 'instruments', 'corporate_actions']),
    );
    expect(datasets.find((d) => d.name === 'bars_1d')).toMatchObject({
      version: 2,
      rows: 4,
      files: 2,
      builtin: true,
      partitioning: 'year(date)',
    });
    expect(lsTable.stdout).toMatch(/^name\s+version\s+rows/);
    expect(lsTable.stdout).toMatch(/\nbars_1d\s+2\s+4\s+2\s/);
    expect(lsCsv.stdout.split('\n')[0]).toContain('name,description,builtin,version,rows');

    const dataset = JSON.parse(described.stdout) as {
      name: string;
      headVersion: number;
      primaryKey: string[];
      columns: { name: string }[];
      head: { rows: number };
    };
    expect(dataset).toMatchObject({
      name: 'bars_1d',
      headVersion: 2,
      primaryKey: ['symbol', 'date'],
      head: { rows: 4 },
    });
    expect(dataset.columns.map((c) => c.name).slice(0, 7)).toEqual([
      'symbol',
      'date',
      'open',
      'high',
      'low',
      'close',
      'volume',
    ]);
    expect(describedText.stdout).toContain('primary key: symbol, date');
    expect(unknown.stderr).toContain('LAKE_DATASET_NOT_FOUND');

    const versions = JSON.parse(history.stdout) as {
      version: number;
      operation: string;
      writer: string;
      rows: number;
    }[];
    expect(versions.map((v) => [v.version, v.operation, v.writer, v.rows])).toEqual([
      [2, 'import', 'cli', 4],
      [1, 'import', 'cli', 2],
    ]);

    expect(JSON.parse(query.stdout)).toEqual([
      { symbol: 'AAA', n: '2' },
      { symbol: 'BBB', n: '2' },
    ]);
    expect(csv.stdout).toBe('symbol,text,close\nAAA,"a,b",10.5\nAAA,"a,b",10.5\n');
    expect(empty.stdout).toBe('symbol\n');
    expect(JSON.parse(capped.stdout)).toEqual([{ range: '0' }, { range: '1' }]);
    expect(capped.stderr).toContain('--max-rows');
    expect(forbidden.stderr).toContain('LAKE_QUERY_FORBIDDEN');
    expect(writes.stderr).toContain('LAKE_QUERY_FORBIDDEN');
    expect(existsSync(path.join(project, 'out.parquet'))).toBe(false);
    expect(failed.stderr).toContain('LAKE_QUERY_FAILED');

    // An append to a keyed dataset rewrites each partition it touches (upsert), so bars_1d holds one
    // file per year and compaction has nothing to merge: no new version.
    const compacted = await json<
      {
        dataset: string;
        version: number;
        partitions: string[];
        filesBefore: number;
        filesAfter: number;
      }[]
    >(['lake', 'compact', '--dataset', 'bars_1d', '--json']);
    expect(compacted).toEqual([
      { dataset: 'bars_1d', version: 2, partitions: [], filesBefore: 2, filesAfter: 2 },
    ]);
    const vacuumed = await json<
      Record<
        string,
        {
          versionsRemoved: number;
          filesRemoved: number;
          orphansRemoved: number;
          stagingRemoved: number;
        }
      >
    >(['lake', 'vacuum', '--retention-days', '0', '--json']);
    expect(vacuumed['bars_1d']).toMatchObject({
      versionsRemoved: 1,
      filesRemoved: 2,
      orphansRemoved: 0,
      stagingRemoved: 0,
    });
    expect(Object.keys(vacuumed)).toEqual(expect.arrayContaining(['bars_1d', 'bars_1m']));
    expect(
      (await json<{ version: number }[]>(['lake', 'history', 'bars_1d', '--json'])).map(
        (v) => v.version,
      ),
    ).toEqual([2]);
    expect(await countRows()).toBe(4);
    await expectExit(['lake', 'vacuum', '--retention-days', '-1'], 2);
  });
});

describe('--help', () => {
  /** Every command path of the CLI, from the program itself, so a new command is covered. */
  function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
    return cmd.commands.flatMap((c) => [
      [...prefix, c.name()],
      ...commandPaths(c, [...prefix, c.name()]),
    ]);
  }
  const paths = [[], ...commandPaths(buildProgram())];

  it('covers every command', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining([
        '',
        'init',
        'up',
        'config',
        'lake',
        'lake ls',
        'lake describe',
        'lake history',
        'lake import',
        'lake query',
        'lake compact',
        'lake vacuum',
        'quarantine',
      ]),
    );
  });

  it('prints usage and examples for every command and subcommand, exit 0', async () => {
    // Four at a time: dozens of Node processes at once starve a two-core machine.
    const results: (readonly [string[], ChildResult])[] = [];
    for (let i = 0; i < paths.length; i += 4) {
      const batch = paths.slice(i, i + 4);
      results.push(
        ...(await Promise.all(
          batch.map(async (p) => [p, await runCli([...p, '--help'], { cwd: project })] as const),
        )),
      );
    }
    for (const [p, r] of results) {
      const label = `marketlake ${p.join(' ')} --help`;
      expect(r.code, label).toBe(0);
      expect(r.stdout, label).toContain(`Usage: marketlake ${p.join(' ')}`.trimEnd());
      expect(r.stdout, label).toContain('Examples:');
      expect(r.stdout, label).toContain('$ marketlake');
    }
  }, 180_000);
});
