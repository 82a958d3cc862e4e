import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/dist.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';

/*
 * The pipeline commands without a running platform: `--wait` runs attempts in the CLI's own
 * process tree; wrong arguments are usage errors (exit 2) that say what is accepted.
 */

const PIPELINE = `
import { asset, daily } from 'marketlake';
export const days = asset({
  name: 'days',
  partitions: daily({ start: '2024-01-01', end: '2024-01-31' }),
  run: (ctx) => ctx.log.info('day ' + ctx.partition),
});
export const summary = asset({ name: 'summary', deps: ['days'], command: 'echo summary done' });
`;

let project: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  project = makeTempDir();
  mkdirSync(path.join(project, 'pipelines'));
  writeFileSync(path.join(project, 'pipelines', 'days.ts'), PIPELINE);
  env = { MARKETLAKE_HOME: path.join(project, 'home') };
});

afterEach(() => removeDir(project));

const cli = (...args: string[]) => runCli([...args, '--project', project], { env });

describe('pipeline commands without a platform', () => {
  it('runs, backfills, shows runs and logs, and retries', async () => {
    const run = await cli(
      'run',
      'days',
      '--partition',
      '2024-01-05',
      '--downstream',
      '--wait',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const view = JSON.parse(run.stdout) as {
      id: string;
      state: string;
      createdAt: string;
      attempts: {
        asset: string;
        partition: string | null;
        exitReason: string;
        cpuUserSeconds: number;
        peakRssBytes: string;
      }[];
    };
    expect(view.state).toBe('succeeded');
    expect(view.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(view.attempts.map((a) => [a.asset, a.partition])).toEqual([
      ['days', '2024-01-05'],
      ['summary', null],
    ]);
    expect(typeof view.attempts[0]?.peakRssBytes).toBe('string');

    const logs = await cli('logs', view.id);
    expect(logs.stdout).toContain('days[2024-01-05] log/info: day 2024-01-05');
    expect(logs.stdout).toContain('summary stdout/info: summary done');

    const dry = await cli(
      'backfill',
      'days',
      '--from',
      '2024-01-10',
      '--to',
      '2024-01-19',
      '--dry-run',
    );
    expect(dry.stdout).toContain('10 tasks in 1 runs (dry run: nothing submitted)');
    const back = await cli(
      'backfill',
      'days',
      '--from',
      '2024-01-10',
      '--to',
      '2024-01-19',
      '--wait',
    );
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/succeeded: 10 done, 0 failed/);

    const parts = await cli('partitions', 'days', '--json');
    const page = JSON.parse(parts.stdout) as { total: number; counts: Record<string, number> };
    expect(page.total).toBe(31);
    expect(page.counts['succeeded']).toBe(11);

    const list = await cli('runs', '--json');
    expect((JSON.parse(list.stdout) as { runs: unknown[] }).runs).toHaveLength(2);
    const retry = await cli('retry', view.id, '--failed-only');
    expect(retry.code).toBe(1);
    expect(retry.stderr).toContain('PIPELINES_NOTHING_TO_RETRY');
  }, 120_000);

  it('rejects wrong arguments with exit 2 and names what is accepted', async () => {
    const both = await cli('run', 'days', '--partition', '2024-01-05', '--from', '2024-01-01');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--partition or --from/--to, not both');
    const state = await cli('runs', '--state', 'done');
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('queued, running, succeeded, failed, canceled');
    const range = await cli('backfill', 'days', '--from', '2024-01-01');
    expect(range.code).toBe(2);
    const status = await cli('partitions', 'days', '--status', 'green');
    expect(status.code).toBe(2);
    const unknown = await cli('run', 'dayz', '--wait');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('did you mean "days"');
    const missing = await cli('runs', 'show', 'r_nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('PIPELINES_RUN_NOT_FOUND');
    const badKey = await cli('run', 'days', '--partition', '2023-12-31', '--wait');
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain('is not a partition of days');
    // A key no selected asset takes is refused, not ignored.
    const unpartitioned = await cli('run', 'summary', '--partition', '2024-01-05', '--wait');
    expect(unpartitioned.code).toBe(2);
    expect(unpartitioned.stderr).toBe(
      'error: Asset "summary" is not partitioned, so a partition key does not apply: drop --partition.\n',
    );
    const unpartitionedRange = await cli(
      'run',
      'summary',
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-02',
    );
    expect(unpartitionedRange.code).toBe(2);
    expect(unpartitionedRange.stderr).toContain(
      'not partitioned, so a partition range does not apply: drop --from/--to',
    );
    expect(JSON.parse((await cli('runs', '--json')).stdout)).toMatchObject({ runs: [] });
  }, 60_000);
});
