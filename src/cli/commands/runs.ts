import type { Command } from 'commander';
import { UsageError } from '../../core/index.js';
import { RUN_STATES, type RunState } from '../../pipelines/index.js';
import type { GlobalFlags } from '../context.js';
import { formatOf, printJson, printTable } from '../output.js';
import { parseInteger } from '../parse.js';
import { withPipelines } from '../pipelines-context.js';
import { printRun } from '../run-view.js';

/** `marketlake runs`, `runs show`, `cancel` and `retry`. */
export function runsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description('list runs, newest first (see also: runs show <id>)')
    .option('--state <state>', `only runs in this state (${RUN_STATES.join(', ')})`)
    .option('--asset <name>', 'only runs with a task of this asset')
    .option('--limit <n>', 'at most n runs', '50')
    .option('--before <id>', 'runs older than this run id (pagination)')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake runs --state failed
  $ marketlake runs --asset krx_daily --limit 10 --json
  $ marketlake runs show r0mwwol3qh0000eda96d`,
    )
    .action(
      async (
        opts: { state?: string; asset?: string; limit: string; before?: string; json?: boolean },
        cmd: Command,
      ) => {
        if (opts.state !== undefined && !RUN_STATES.includes(opts.state as RunState))
          throw new UsageError(
            `--state must be one of ${RUN_STATES.join(', ')}, got "${opts.state}".`,
          );
        const limit = parseInteger(opts.limit, '--limit', 1);
        await withPipelines(cmd.optsWithGlobals<GlobalFlags>(), async (p) => {
          const page = await p.store.listRuns({
            state: opts.state as RunState | undefined,
            asset: opts.asset,
            limit,
            before: opts.before,
          });
          if (formatOf(opts) === 'json') return printJson(page);
          printTable(
            page.runs.map((r) => ({
              id: r.id,
              state: r.state,
              kind: r.kind,
              job: r.job ?? '',
              tasks: `${r.tasks.finished}/${r.tasks.total}`,
              failed: r.tasks.unsuccessful,
              created: r.createdAt,
              finished: r.finishedAt ?? '',
            })),
          );
          if (page.next) process.stdout.write(`more: --before ${page.next}\n`);
        });
      },
    );
  runs
    .command('show')
    .description('a run with every attempt and its resources (wall, queue, CPU, peak memory, rows)')
    .argument('<run>', 'run id')
    .option('--json', 'JSON output (timestamps ISO-8601 UTC, byte counts as strings)')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake runs show r0mwwol3qh0000eda96d
  $ marketlake runs show r0mwwol3qh0000eda96d --json | jq '.attempts[].peakRssBytes'`,
    )
    .action(async (runId: string, opts: { json?: boolean }, cmd: Command) => {
      await withPipelines(cmd.optsWithGlobals<GlobalFlags>(), async (p) => {
        const run = await p.store.getRun(runId);
        if (formatOf(opts) === 'json') printJson(run);
        else printRun(run);
      });
    });
  program
    .command('cancel')
    .description('cancel a run: queued attempts are dropped, running ones killed')
    .argument('<run>', 'run id')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake cancel r0mwwol3qh0000eda96d`,
    )
    .action(async (runId: string, _opts: unknown, cmd: Command) => {
      await withPipelines(cmd.optsWithGlobals<GlobalFlags>(), async (p) => {
        const killed = await p.runtime.cancel(runId, 'Canceled from the CLI.');
        process.stdout.write(`canceled ${runId} (${killed.length} running attempts killed)\n`);
      });
    });
  program
    .command('retry')
    .description('re-run a finished run: only what failed with --failed-only, else all of it')
    .argument('<run>', 'run id')
    .option('--failed-only', 'only the failed, upstream_failed and canceled tasks')
    .option('--wait', 'wait for the new run (runs it here when no platform is up)')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake retry r0mwwol3qh0000eda96d --failed-only
  $ marketlake retry r0mwwol3qh0000eda96d --wait`,
    )
    .action(
      async (
        runId: string,
        opts: { failedOnly?: boolean; wait?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        await withPipelines(cmd.optsWithGlobals<GlobalFlags>(), async (p) => {
          const created = await p.runtime.retry(runId, opts.failedOnly === true);
          if (opts.wait !== true) {
            if (formatOf(opts) === 'json') printJson({ id: created.runId, state: 'queued' });
            else process.stdout.write(`${created.runId}\n`);
            return;
          }
          const [run] = await p.follow([created.runId]);
          if (run === undefined) return;
          if (formatOf(opts) === 'json') printJson(run);
          else printRun(run);
          if (run.state !== 'succeeded') process.exitCode = 1;
        });
      },
    );
}
