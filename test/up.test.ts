import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { version } from '../src/core/index.js';
import { backends } from './helpers/backends.js';
import { runCli, type ChildResult } from './helpers/dist.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';
import { killStarted, startUp, stopWith } from './helpers/up-process.js';

/*
 * `marketlake up` as a user runs it: a child process on an ephemeral port (--port 0; the port is
 * read from the printed URL), probed over HTTP, stopped with SIGINT or SIGTERM (exit 0, prints
 * "marketlake stopped."), refused on a busy port (exit 1), on PostgreSQL (cluster mode), and
 * after an import killed mid-commit (it cleans the debris and serves only committed data).
 */

let project: string;
let home: string;

beforeEach(() => {
  project = makeTempDir();
  home = path.join(project, 'home');
});

afterEach(() => {
  // A failed assertion must not leave a server behind.
  killStarted();
  removeDir(project);
});

async function health(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/api/health`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return runCli(args, {
    cwd: project,
    env: { MARKETLAKE_HOME: home, MARKETLAKE_DUCKDB_THREADS: '2', ...env },
  });
}

describe('marketlake up', () => {
  it('serves /api/health, refuses a busy port with exit 1, and stops on SIGINT with exit 0', async () => {
    const up = await startUp(project, home);
    const { stdout } = up.output();
    expect(stdout).toContain(`marketlake ${version} is up (embedded mode, role all)`);
    expect(stdout).toContain(`  health:   ${up.url}/api/health`);
    expect(stdout).toContain(`  lake:     ${path.join(home, 'lake')}`);
    expect(stdout).toContain('Press Ctrl-C to stop.');

    const body = await health(up.url);
    expect(body).toMatchObject({
      status: 'ok',
      version,
      mode: 'embedded',
      metadata: { backend: 'sqlite', url: `sqlite:${path.join(home, 'meta.sqlite')}` },
      lake: { path: path.join(home, 'lake') },
      project,
    });
    expect(body['uptimeSeconds']).toBeTypeOf('number');
    expect(body['uptimeSeconds']).toBeGreaterThanOrEqual(0);
    const datasets = (await (await fetch(`${up.url}/api/datasets`)).json()) as {
      datasets: { name: string }[];
    };
    expect(datasets.datasets.map((d) => d.name)).toContain('bars_1d');

    // A second platform on the same port is an environment failure (exit 1), not wrong usage.
    const port = new URL(up.url).port;
    const second = await cli(['up', '--project', project, '--port', port]);
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain('CLI_PORT_IN_USE');
    expect(second.stderr).toContain(`Port ${port}`);
    expect(second.stderr).toContain('--port');
    await health(up.url); // the first one is undisturbed

    await stopWith(up, 'SIGINT');
    await expect(fetch(`${up.url}/api/health`)).rejects.toThrow();
  });

  it('stops on SIGTERM with exit 0', async () => {
    const up = await startUp(project, home);
    expect((await health(up.url))['mode']).toBe('embedded');
    await stopWith(up, 'SIGTERM');
  });

  it('rejects a bad --port as wrong usage (exit 2)', async () => {
    const bad = await cli(['up', '--project', project, '--port', '70000']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port');
    expect(bad.stderr).toContain('0 to 65535');
  });

  const pg = backends.find((b) => b.name === 'postgres')!;
  it.skipIf(pg.skip)('runs in cluster mode on PostgreSQL', async () => {
    const base = process.env['MARKETLAKE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
    const url = `${base}?schema=up_${randomBytes(6).toString('hex')}`;
    try {
      const up = await startUp(project, home, { MARKETLAKE_DATABASE_URL: url });
      expect(up.output().stdout).toContain('(cluster mode, role all)');
      const body = await health(up.url);
      expect(body).toMatchObject({
        mode: 'cluster',
        metadata: { backend: 'postgres' },
        lake: { path: path.join(home, 'lake') },
      });
      await stopWith(up, 'SIGTERM');
    } finally {
      await pg.cleanup(url);
    }
  });

  it('starts after an import was killed mid-commit, cleans its debris and serves only committed data', async () => {
    const header = 'symbol,date,open,high,low,close,volume';
    writeFileSync(
      path.join(project, 'first.csv'),
      [header, 'AAA,2023-06-01,10,11,9,10.5,100', 'AAA,2024-06-03,10,11,9,10.5,100', ''].join('\n'),
    );
    writeFileSync(
      path.join(project, 'second.csv'),
      [
        header,
        'AAA,2024-06-03,99,99,99,99,999',
        'BBB,2024-06-03,20,21,19,20.5,200',
        'CCC,2025-01-02,30,31,29,30.5,300',
        '',
      ].join('\n'),
    );
    const first = await cli(['lake', 'import', 'first.csv', '--dataset', 'bars_1d', '--json']);
    expect(first.code, first.stderr).toBe(0);

    // The failpoint SIGKILLs the importer after its files are renamed into place, before the catalog commit.
    const killed = await cli(['lake', 'import', 'second.csv', '--dataset', 'bars_1d', '--json'], {
      MARKETLAKE_FAILPOINTS: 'lake.commit.before',
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toBe('');
    const lakeDir = path.join(home, 'lake');
    const parquet = (): string[] => {
      const out: string[] = [];
      const walk = (dir: string): void => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          if (e.name.startsWith('_') || e.name.startsWith('.')) continue;
          if (e.isDirectory()) walk(path.join(dir, e.name));
          else if (e.name.endsWith('.parquet'))
            out.push(path.relative(lakeDir, path.join(dir, e.name)));
        }
      };
      walk(path.join(lakeDir, 'bars_1d'));
      return out.sort();
    };
    const staging = (): string[] =>
      existsSync(path.join(lakeDir, '_staging')) ? readdirSync(path.join(lakeDir, '_staging')) : [];
    const committedFiles = (JSON.parse(first.stdout) as { files: string[] }).files
      .map((f) => f.split('/').join(path.sep))
      .sort();
    expect(parquet().length).toBeGreaterThan(committedFiles.length); // the killed import's orphans
    expect(staging().length).toBeGreaterThan(0);

    const up = await startUp(project, home);
    expect(parquet()).toEqual(committedFiles);
    expect(staging()).toEqual([]);
    const body = await health(up.url);
    expect(body['mode']).toBe('embedded');
    const res = await fetch(`${up.url}/api/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        sql: 'SELECT symbol, CAST(date AS VARCHAR) AS d, close FROM bars_1d ORDER BY symbol, date',
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rows: unknown[] }).rows).toEqual([
      { symbol: 'AAA', d: '2023-06-01', close: 10.5 },
      { symbol: 'AAA', d: '2024-06-03', close: 10.5 },
    ]);
    await stopWith(up, 'SIGINT');

    const query = await cli([
      'lake',
      'query',
      'SELECT count(*) AS n, max(close) AS top FROM bars_1d',
      '--json',
    ]);
    expect(query.code, query.stderr).toBe(0);
    expect(JSON.parse(query.stdout)).toEqual([{ n: '2', top: 10.5 }]);
    const history = await cli(['lake', 'history', 'bars_1d', '--json']);
    expect((JSON.parse(history.stdout) as { version: number }[]).map((v) => v.version)).toEqual([
      1,
    ]);

    // The write lease of the killed importer does not block the next import.
    const again = await cli(['lake', 'import', 'second.csv', '--dataset', 'bars_1d', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ version: 2, rowsImported: 3 });
  });
});
