import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type ChildResult } from './helpers/dist.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';

/*
 * The market commands of the built CLI (`npm test` builds first): calendar, import-bars, bars,
 * actions, instruments, checks. One home for the file (the commands build on each other's data);
 * wrong arguments exit 2 with a message that names the fix.
 */

let project: string;

beforeAll(() => {
  project = makeTempDir();
});

afterAll(() => {
  removeDir(project);
});

function cli(args: string[]): Promise<ChildResult> {
  return runCli(args, {
    cwd: project,
    env: { MARKETLAKE_HOME: path.join(project, 'home'), MARKETLAKE_DUCKDB_THREADS: '2' },
  });
}

async function expectExit(args: string[], code: number): Promise<ChildResult> {
  const r = await cli(args);
  expect(r.code, `marketlake ${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(
    code,
  );
  return r;
}

async function json<T>(args: string[]): Promise<T> {
  return JSON.parse((await expectExit(args, 0)).stdout) as T;
}

describe('market CLI', () => {
  it('calendar ls and sessions as JSON (UTC instants), usage errors exit 2', async () => {
    const cals = await json<{ name: string }[]>(['calendar', 'ls', '--json']);
    expect(cals.map((c) => c.name)).toEqual(['XNYS', 'XNAS', 'XKRX', 'CRYPTO', 'FX']);
    const sessions = await json<unknown[]>([
      'calendar',
      'sessions',
      'XNYS',
      '--from',
      '2024-12-24',
      '--to',
      '2024-12-26',
      '--json',
    ]);
    // Christmas Eve closes early (13:00 New York); Christmas is a holiday.
    expect(sessions).toEqual([
      { date: '2024-12-24', open: '2024-12-24T14:30:00Z', close: '2024-12-24T18:00:00Z' },
      { date: '2024-12-26', open: '2024-12-26T14:30:00Z', close: '2024-12-26T21:00:00Z' },
    ]);
    const table = await expectExit(
      ['calendar', 'sessions', 'xkrx', '--from', '1995-03-02', '--to', '1995-03-02'],
      0,
    );
    expect(table.stdout).toContain('1995-03-02T02:30:00Z');
    expect(
      (
        await expectExit(
          ['calendar', 'sessions', 'XLON', '--from', '2024-01-02', '--to', '2024-01-03'],
          2,
        )
      ).stderr,
    ).toContain('Unknown exchange calendar "XLON"');
    expect(
      (await expectExit(['calendar', 'sessions', 'XNYS', '--from', '2024-01-02'], 2)).stderr,
    ).toContain("'--to <date>' not specified");
    expect(
      (
        await expectExit(
          ['calendar', 'sessions', 'XNYS', '--from', '2024-13-01', '--to', '2024-12-31'],
          2,
        )
      ).stderr,
    ).toContain('Invalid date "2024-13-01"');
  });

  it('import-bars with a declaration, then bars, actions, instruments and checks', async () => {
    const file = path.join(project, 'x.csv');
    writeFileSync(
      file,
      [
        'date,open,high,low,close,volume,dividend,split',
        '2024-01-02,50,51,49,50,200,0,1',
        '2024-01-03,50,51,49,50.5,200,0.5,1',
        '2024-01-04,50,51,49,50,200,0,1',
        '2024-01-08,50,51,49,50,100,0,2',
        '2024-01-09,50,51,49,50.5,100,0,1',
      ].join('\n') + '\n',
    );
    const imported = await json<{ bars: { rowsWritten: number } }>([
      'import-bars',
      file,
      '--symbol',
      'X',
      '--prices-include',
      'split',
      '--json',
    ]);
    expect(imported.bars.rowsWritten).toBe(5);
    const raw = await json<{ close: number; factor: number }[]>(['bars', 'X', '--json']);
    expect(raw.map((r) => r.close)).toEqual([100, 101, 100, 50, 50.5]);
    const split = await json<{ close: number }[]>([
      'bars',
      'X',
      '--adjust',
      'split',
      '--to',
      '2024-01-08',
      '--json',
    ]);
    expect(split.map((r) => r.close)).toEqual([50, 50.5, 50, 50]);
    const csv = (await expectExit(['bars', 'X', '--from', '2024-01-08', '--csv'], 0)).stdout
      .trim()
      .split('\n');
    expect(csv).toEqual([
      'symbol,date,open,high,low,close,volume,factor',
      'X,2024-01-08,50,51,49,50,100,1',
      'X,2024-01-09,50,51,49,50.5,100,1',
    ]);
    const actions = await json<{ type: string; value: number }[]>(['actions', 'X', '--json']);
    expect(actions.map((a) => [a.type, a.value])).toEqual([
      ['cash_dividend', 1],
      ['split', 2],
    ]);
    expect(await json<unknown[]>(['actions', 'X', '--as-of', '2024-01-02', '--json'])).toEqual([]);

    const instruments = path.join(project, 'instruments.csv');
    writeFileSync(
      instruments,
      'symbol,exchange,name,type,currency,local_code\nX,XNYS,X Corp,stock,USD,\n005930,XKRX,삼성전자,stock,KRW,A005930\n',
    );
    await expectExit(['lake', 'import', instruments, '--dataset', 'instruments'], 0);
    const krx = await json<{ symbol: string; name: string }[]>([
      'instruments',
      '--exchange',
      'XKRX',
      '--json',
    ]);
    expect(krx).toEqual([
      expect.objectContaining({ symbol: '005930', name: '삼성전자', localCode: 'A005930' }),
    ]);
    expect((await expectExit(['instruments'], 0)).stdout).toContain('삼성전자');

    // X has no bar on 2024-01-05 (an XNYS session); its exchange comes from instruments.
    const summary = await json<{
      blocked: boolean;
      results: { check: string; failingCount: number }[];
    }>(['checks', 'bars_1d', '--run', '--json']);
    expect(summary.blocked).toBe(false);
    expect(summary.results.find((r) => r.check === 'missing_sessions')!.failingCount).toBe(1);
    const failed = await json<{ check: string }[]>(['checks', '--failed', '--json']);
    expect(failed.map((r) => r.check)).toEqual(['missing_sessions']);
    const keys = await json<{ key: string }[]>([
      'checks',
      'bars_1d',
      '--keys',
      '--check',
      'missing_sessions',
      '--json',
    ]);
    expect(keys.map((k) => k.key)).toEqual(['X|2024-01-05']);
    expect((await expectExit(['checks', 'bars_1d', '--run'], 0)).stdout).toContain('1 warning(s)');
  });

  it('wrong arguments exit 2 and say what is accepted', async () => {
    expect((await expectExit(['bars', 'X', '--adjust', 'total'], 2)).stderr).toContain(
      'Allowed choices are raw, split, total_return',
    );
    expect((await expectExit(['bars', 'X', '--as-of', '2024-02-30'], 2)).stderr).toContain(
      'Invalid date "2024-02-30"',
    );
    expect(
      (await expectExit(['bars', 'X', '--from', '2024-02-01', '--to', '2024-01-01'], 2)).stderr,
    ).toContain('from 2024-02-01 is after to 2024-01-01');
    expect((await expectExit(['import-bars', 'x.csv', '--symbol', 'X'], 2)).stderr).toContain(
      "'--prices-include <what>' not specified",
    );
    expect(
      (await expectExit(['import-bars', 'x.csv', '--prices-include', 'all'], 2)).stderr,
    ).toContain('none, split, split_dividend');
    expect(
      (
        await expectExit(
          ['import-bars', 'x.csv', '--prices-include', 'none', '--map', 'ratio=split'],
          2,
        )
      ).stderr,
    ).toContain('symbol, date, open, high, low, close, volume, dividend, split');
    expect((await expectExit(['checks', '--run'], 2)).stderr).toContain('--run needs the asset');
    expect((await expectExit(['checks', '--check', 'ohlc'], 2)).stderr).toContain(
      'ohlc_consistency',
    );
    expect(
      (await expectExit(['checks', 'bars_1d', '--run', '--partition', '24'], 2)).stderr,
    ).toContain('year=YYYY');
    expect(
      (await expectExit(['checks', 'bars_1d', '--run', '--calendar', 'XLON'], 2)).stderr,
    ).toContain('Unknown exchange calendar');
    expect((await expectExit(['checks', '--limit', '0'], 2)).stderr).toContain(
      '--limit must be an integer >= 1',
    );
  });
});
