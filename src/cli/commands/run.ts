import type { Command } from 'commander';
import { UsageError } from '../../core/index.js';
import { formatOf, printJson } from '../output.js';
import { withPipelines } from '../pipelines-context.js';
import type { GlobalFlags } from '../context.js';
import { printRun } from '../run-view.js';

interface RunFlags {
  partition?: string;
  from?: string;
  to?: string;
  downstream?: boolean;
  wait?: boolean;
  json?: boolean;
}

/** `marketlake run`: materialize assets (a partition, a range, or the latest partition). */
export function runCommand(program: Command): void {
  program
    .command('run')
    .description('run assets now: one partition, a range, or the latest partition')
    .argument('<assets...>', "asset names or patterns ('krx_*')")
    .option('--partition <key>', 'the partition to run')
    .option('--from <key>', 'first partition of a range (with --to)')
    .option('--to <key>', 'last partition of a range (with --from)')
    .option('--downstream', 'also run every asset that depends on them')
    .option(
      '--wait',
      'wait for the run to end (runs it here when no platform is up); exit 1 unless it succeeds',
    )
    .option('--json', 'print the run as JSON (the `runs show --json` shape with --wait)')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake run daily_bars --partition 2024-06-03 --wait
  $ marketlake run 'krx_*' --from 2024-06-03 --to 2024-06-07 --downstream`,
    )
    .action(async (assets: string[], opts: RunFlags, cmd: Command) => {
      if (opts.partition !== undefined && (opts.from !== undefined || opts.to !== undefined))
        throw new UsageError('Give --partition or --from/--to, not both.');
      if ((opts.from === undefined) !== (opts.to === undefined))
        throw new UsageError('Give both --from and --to for a range of partitions.');
      await withPipelines(cmd.optsWithGlobals<GlobalFlags>(), async (p) => {
        const { runId } = await p.runtime.submit({
          assets,
          partition: opts.partition,
          from: opts.from,
          to: opts.to,
          downstream: opts.downstream,
        });
        if (opts.wait !== true) {
          if (formatOf(opts) === 'json') printJson({ id: runId, state: 'queued' });
          else {
            process.stdout.write(`${runId}\n`);
            if (!(await p.platformAlive()))
              process.stderr.write(
                'No platform is running on this home: the run waits until `marketlake up` (or a worker) starts. Add --wait to run it here.\n',
              );
          }
          return;
        }
        if (formatOf(opts) !== 'json') process.stdout.write(`${runId}\n`);
        const [run] = await p.follow([runId]);
        if (run === undefined) return;
        if (formatOf(opts) === 'json') printJson(run);
        else printRun(run);
        if (run.state !== 'succeeded') process.exitCode = 1;
      });
    });
}
