import type { Command } from 'commander';
import { formatOf, printJson, printTable } from '../output.js';
import { withPipelines } from '../pipelines-context.js';
import type { GlobalFlags } from '../context.js';
import type { BackfillView } from '../../pipelines/index.js';

interface BackfillFlags {
  from: string;
  to: string;
  downstream?: boolean;
  dryRun?: boolean;
  wait?: boolean;
  json?: boolean;
}

function progressLine(b: BackfillView): string {
  const p = b.progress;
  const eta = p.etaMs === null ? '' : `, ETA ${Math.ceil(p.etaMs / 1000)} s`;
  return `backfill ${b.id} ${b.state}: ${p.done} done, ${p.failed} failed, ${p.active} running, ${p.remaining} remaining of ${b.total}${eta}`;
}

/** `marketlake backfill`: an asset over a partition range, at low priority, resumable. */
export function backfillCommand(program: Command): void {
  program
    .command('backfill')
    .description('run an asset over a range of partitions at low priority (resumable)')
    .argument('[assets...]', 'asset names or patterns; none lists the backfills')
    .option('--from <key>', 'first partition')
    .option('--to <key>', 'last partition')
    .option('--downstream', 'also run the assets that depend on them')
    .option('--dry-run', 'list what would run, run nothing')
    .option('--wait', 'follow progress until it ends (runs it here when no platform is up)')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake backfill krx_daily --from 2015-01-02 --to 2024-12-30 --dry-run
  $ marketlake backfill krx_daily --from 2015-01-02 --to 2024-12-30 --downstream --wait
  $ marketlake backfill            # lists backfills with their progress`,
    )
    .action(async (assets: string[], opts: BackfillFlags, cmd: Command) => {
      await withPipelines(cmd.optsWithGlobals<GlobalFlags>(), async (p) => {
        if (assets.length === 0) {
          const list = await p.store.listBackfills();
          if (formatOf(opts) === 'json') printJson(list);
          else for (const b of list) process.stdout.write(`${progressLine(b)}\n`);
          return;
        }
        const { UsageError } = await import('../../core/index.js');
        if (opts.from === undefined || opts.to === undefined)
          throw new UsageError('A backfill needs --from and --to (partition keys, inclusive).');
        const request = { assets, from: opts.from, to: opts.to, downstream: opts.downstream };
        if (opts.dryRun === true) {
          const preview = p.runtime.previewBackfill(request);
          if (formatOf(opts) === 'json') printJson(preview);
          else {
            printTable(preview.assets);
            process.stdout.write(
              `${preview.tasks} tasks in ${preview.runs} runs (dry run: nothing submitted)\n`,
            );
          }
          return;
        }
        const { backfillId } = await p.runtime.backfill(request);
        if (opts.wait !== true) {
          if (formatOf(opts) === 'json') printJson(await p.store.getBackfill(backfillId));
          else process.stdout.write(`${backfillId}\n`);
          return;
        }
        const runs = await p.store.listRuns({ backfillId, limit: 1000 });
        const ids = [...runs.runs].reverse().map((r) => r.id);
        await p.follow(ids, async () => {
          if (formatOf(opts) !== 'json')
            process.stdout.write(`${progressLine(await p.store.getBackfill(backfillId))}\n`);
        });
        const done = await p.store.getBackfill(backfillId);
        if (formatOf(opts) === 'json') printJson(done);
        if (done.state !== 'succeeded') process.exitCode = 1;
      });
    });
}
