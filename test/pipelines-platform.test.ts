import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/dist.js';
import { makeTempDir, removeDir } from './helpers/temp-dir.js';
import { killStarted, startUp, stopWith } from './helpers/up-process.js';

/*
 * The pipelines as a user drives them with the platform up: runs over REST and from the CLI
 * (which submits to the running platform instead of executing itself), logs, cancel, retry,
 * assets with a broken pipeline file reported by file and line while the rest is served.
 */

const GOOD = `
import { asset } from 'marketlake';
export const hello = asset({ name: 'hello', run: (ctx) => { ctx.log.info('hello from ' + ctx.runId); } });
export const slow = asset({ name: 'slow', run: () => new Promise((r) => setTimeout(r, 60_000)) });
export const shaky = asset({
  name: 'shaky',
  retry: { maxAttempts: 1 },
  run: () => { throw new Error('shaky broke'); },
});
`;

const BROKEN = `
import { asset } from 'marketlake';
export const typo = asset({ name: 'typo', deps: ['helo'], run: () => 1 });
`;

let project: string;
let home: string;

beforeEach(() => {
  project = makeTempDir();
  home = path.join(project, 'home');
  mkdirSync(path.join(project, 'pipelines'));
  writeFileSync(path.join(project, 'pipelines', 'good.ts'), GOOD);
  writeFileSync(path.join(project, 'pipelines', 'broken.ts'), BROKEN);
});

afterEach(() => {
  killStarted();
  removeDir(project);
});

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

async function waitForState(url: string, runId: string, states: string[]) {
  for (;;) {
    const run = await json(await fetch(`${url}/api/runs/${runId}`));
    if (states.includes(String(run['state']))) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('pipelines with the platform up', () => {
  it('serves runs, logs, cancel and retry over REST and the CLI', async () => {
    const up = await startUp(project, home);
    const env = { MARKETLAKE_HOME: home };
    try {
      expect(up.output().stdout).toContain('pipelines: 3 assets, 1 problems');

      const assets = await json(await fetch(`${up.url}/api/assets`));
      expect((assets['assets'] as { name: string }[]).map((a) => a.name)).toEqual([
        'hello',
        'slow',
        'shaky',
      ]);
      const problems = assets['problems'] as { file: string; line: number; message: string }[];
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ file: 'pipelines/broken.ts', line: 3 });
      expect(problems[0]?.message).toContain('helo');

      const posted = await fetch(`${up.url}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assets: ['hello'] }),
      });
      expect(posted.status).toBe(201);
      const runId = String((await json(posted))['id']);
      const done = await waitForState(up.url, runId, ['succeeded', 'failed']);
      expect(done['state']).toBe('succeeded');
      const logs = (await (await fetch(`${up.url}/api/runs/${runId}/logs`)).json()) as {
        lines: { line: string }[];
      }[];
      expect(logs[0]?.lines.map((l) => l.line)).toContain(`hello from ${runId}`);

      // The CLI submits to the running platform and follows the run.
      const cli = await runCli(['run', 'hello', '--wait', '--json', '--project', project], { env });
      expect(cli.code, cli.stderr).toBe(0);
      const viaCli = JSON.parse(cli.stdout) as {
        state: string;
        attempts: { exitReason: string }[];
      };
      expect(viaCli.state).toBe('succeeded');
      expect(viaCli.attempts[0]?.exitReason).toBe('OK');

      const shaky = await runCli(['run', 'shaky', '--wait', '--project', project], { env });
      expect(shaky.code).toBe(1);
      const shakyId = shaky.stdout.split('\n')[0] ?? '';
      const shown = await runCli(['runs', 'show', shakyId, '--project', project], { env });
      expect(shown.stdout).toContain('shaky broke');
      const retried = await fetch(`${up.url}/api/runs/${shakyId}/retry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ failedOnly: true }),
      });
      expect(retried.status).toBe(201);

      const slow = await json(
        await fetch(`${up.url}/api/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ assets: ['slow'] }),
        }),
      );
      const slowId = String(slow['id']);
      await waitForState(up.url, slowId, ['running']);
      const cancel = await runCli(['cancel', slowId, '--project', project], { env });
      expect(cancel.code, cancel.stderr).toBe(0);
      expect((await waitForState(up.url, slowId, ['canceled']))['state']).toBe('canceled');
      // The canceled attempt's process is killed, not left to run out.
      for (let i = 0; i < 100; i++) {
        const health = (await (await fetch(`${up.url}/api/health`)).json()) as {
          pipelines: { runningAttempts: number };
        };
        if (health.pipelines.runningAttempts === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const after = (await (await fetch(`${up.url}/api/health`)).json()) as {
        pipelines: { runningAttempts: number };
      };
      expect(after.pipelines.runningAttempts).toBe(0);

      const bad = await fetch(`${up.url}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assets: ['helo'] }),
      });
      expect(bad.status).toBe(404);
      expect(JSON.stringify(await bad.json())).toContain('did you mean');

      const listed = await runCli(['assets', '--project', project], { env });
      expect(listed.code).toBe(1); // a problem in the project
      expect(listed.stderr).toContain('pipelines/broken.ts:3');
    } finally {
      await stopWith(up, 'SIGTERM');
    }
  }, 120_000);
});
