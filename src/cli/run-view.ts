/** How the CLI prints runs and their attempts for people (`--json` prints the views as they are). */
import type { RunView } from '../pipelines/index.js';
import { formatBytes, printTable } from './output.js';

function seconds(value: number | null): string {
  return value === null ? '' : value < 10 ? value.toFixed(3) : value.toFixed(1);
}

/** Prints a run's header and one line per attempt with its resources. */
export function printRun(run: RunView): void {
  const lines = [
    `run ${run.id}  ${run.state}  (${run.kind}${run.job ? ` ${run.job}` : ''})`,
    `  created ${run.createdAt}  started ${run.startedAt ?? '-'}  finished ${run.finishedAt ?? '-'}`,
    `  tasks ${run.tasks.finished}/${run.tasks.total} finished, ${run.tasks.unsuccessful} unsuccessful`,
  ];
  if (run.error) lines.push(`  error: ${run.error}`);
  process.stdout.write(lines.join('\n') + '\n');
  printTable(
    run.attempts.map((a) => ({
      asset: a.asset,
      partition: a.partition ?? '',
      attempt: a.attempt,
      state: a.state,
      exit: a.exitReason ?? '',
      wall_s: seconds(a.wallSeconds),
      queue_s: seconds(a.queueSeconds),
      cpu_s: seconds(
        a.cpuUserSeconds === null ? null : a.cpuUserSeconds + (a.cpuSystemSeconds ?? 0),
      ),
      peak_rss: a.peakRssBytes === null ? '' : formatBytes(Number(a.peakRssBytes)),
      rows: a.rowsWritten ?? '',
      error: a.error?.message.split('\n')[0] ?? '',
    })),
  );
}
