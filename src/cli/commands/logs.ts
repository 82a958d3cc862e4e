import type { Command } from 'commander';
import { UsageError } from '../../core/index.js';
import { isTerminal, type RunLogLine } from '../../pipelines/index.js';
import type { GlobalFlags } from '../context.js';
import { withPipelines } from '../pipelines-context.js';

// Control characters (but tab) are shown escaped so a log line cannot rewrite the terminal.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function render(asset: string, partition: string | null, line: RunLogLine): string {
  const where = partition ? `${asset}[${partition}]` : asset;
  const text = line.line.replace(
    CONTROL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${line.ts} ${where} ${line.stream}${line.level ? `/${line.level}` : ''}: ${text}\n`;
}

/** `marketlake logs`: an attempt log per task of a run, live with --follow. */
export function logsCommand(program: Command): void {
  program
    .command('logs')
    .description("print a run's log lines (task logger, stdout, stderr), --follow to stream")
    .argument('<run>', 'run id')
    .option('--task <asset>', 'only this asset')
    .option('--follow', 'keep printing new lines until the run ends')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake logs r0mwwol3qh0000eda96d
  $ marketlake logs r0mwwol3qh0000eda96d --task krx_daily --follow`,
    )
    .action(async (runId: string, opts: { task?: string; follow?: boolean }, cmd: Command) => {
      await withPipelines(cmd.optsWithGlobals<GlobalFlags>(), async (p) => {
        const after = new Map<string, number>();
        for (;;) {
          const run = await p.store.getRun(runId);
          const attempts = run.attempts.filter(
            (a) => opts.task === undefined || a.asset === opts.task,
          );
          if (opts.task !== undefined && attempts.length === 0)
            throw new UsageError(
              `Run ${runId} has no task of asset "${opts.task}" (it has ${[...new Set(run.attempts.map((a) => a.asset))].join(', ')}).`,
            );
          for (const a of attempts) {
            for (;;) {
              const page = await p.store.readLogs(a.id, { afterSeq: after.get(a.id) ?? 0 });
              for (const line of page.lines)
                process.stdout.write(render(a.asset, a.partition, line));
              const last = page.lines[page.lines.length - 1];
              if (last === undefined) break;
              after.set(a.id, last.seq);
            }
          }
          if (opts.follow !== true || isTerminal('run', run.state)) return;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      });
    });
}
