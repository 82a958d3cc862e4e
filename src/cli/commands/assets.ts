import type { Command } from 'commander';
import { PARTITION_STATES, projectView, type PartitionState } from '../../pipelines/index.js';
import { UsageError } from '../../core/index.js';
import type { GlobalFlags } from '../context.js';
import { formatOf, printJson, printTable } from '../output.js';
import { parseInteger } from '../parse.js';
import { withPipelines } from '../pipelines-context.js';

/** `marketlake assets` and `marketlake partitions <asset>`. */
export function assetsCommand(program: Command): void {
  program
    .command('assets')
    .description(
      "the project's assets, their partitions, schedules, and any problem in the pipeline files",
    )
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake assets
  $ marketlake assets --json | jq '.problems'`,
    )
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withPipelines(cmd.optsWithGlobals<GlobalFlags>(), (p) => {
        const view = projectView(p.runtime.project.current());
        if (formatOf(opts) === 'json') {
          printJson(view);
          return Promise.resolve();
        }
        printTable(
          view.assets.map((a) => ({
            asset: a.name,
            kind: a.kind,
            deps: a.deps.join(','),
            partitions: a.partitions ?? '',
            count: a.partitionCount ?? '',
            schedules: a.schedules.join(','),
            sensors: a.sensors.join(','),
            where: a.location ?? '',
          })),
        );
        for (const problem of view.problems) process.stderr.write(`${problem.text}\n`);
        if (view.problems.length > 0) process.exitCode = 1;
        return Promise.resolve();
      });
    });
  program
    .command('partitions')
    .description("an asset's partitions by status (materialized, failed, stale), paged")
    .argument('<asset>', 'asset name')
    .option('--status <state>', `only this state (${PARTITION_STATES.join(', ')})`)
    .option('--limit <n>', 'page size', '100')
    .option('--after <index>', 'partitions after this index (pagination)')
    .option('--mark-stale <keys>', 'mark materialized partitions stale: a key, or FROM..TO')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake partitions krx_daily --status failed
  $ marketlake partitions krx_daily --mark-stale 2024-06-03..2024-06-07`,
    )
    .action(
      async (
        asset: string,
        opts: {
          status?: string;
          limit: string;
          after?: string;
          json?: boolean;
          markStale?: string;
        },
        cmd: Command,
      ) => {
        if (opts.status !== undefined && !PARTITION_STATES.includes(opts.status as PartitionState))
          throw new UsageError(
            `--status must be one of ${PARTITION_STATES.join(', ')}, got "${opts.status}".`,
          );
        const limit = parseInteger(opts.limit, '--limit', 1);
        const afterIndex =
          opts.after === undefined ? undefined : parseInteger(opts.after, '--after', 0);
        await withPipelines(cmd.optsWithGlobals<GlobalFlags>(), async (p) => {
          const { resolveAssets } = await import('../../pipelines/index.js');
          const [definition] = resolveAssets(
            [...p.runtime.project.current().assets.values()],
            [asset],
          );
          const partitions = definition?.partitions;
          if (opts.markStale !== undefined) {
            if (partitions === undefined)
              throw new UsageError(`${asset} is not partitioned; there is nothing to mark stale.`);
            const [from = '', to = from] = opts.markStale.split('..');
            const n = await p.store.markPartitionStale(asset, partitions.indexRange(from, to));
            process.stdout.write(`${n} partitions of ${asset} marked stale (${from}..${to})\n`);
            return;
          }
          const page = await p.store.listPartitionStatus(asset, {
            state: opts.status as PartitionState | undefined,
            limit,
            afterIndex,
            partitions,
          });
          const counts = await p.store.countPartitionStatus(asset);
          const total = partitions?.count() ?? 0;
          if (formatOf(opts) === 'json') return printJson({ asset, total, counts, ...page });
          process.stdout.write(
            `${asset}: ${total} partitions (${partitions?.describe() ?? 'unpartitioned'}); ${Object.entries(
              counts,
            )
              .map(([s, n]) => `${s} ${n}`)
              .join(', ')}\n`,
          );
          printTable(
            page.items.map((i) => ({
              index: i.index,
              key: i.key ?? '',
              state: i.state,
              run: i.lastRunId ?? '',
              updated: i.updatedAt,
            })),
          );
          if (page.nextAfterIndex !== undefined)
            process.stdout.write(`more: --after ${page.nextAfterIndex}\n`);
        });
      },
    );
}
