/**
 * Which file the pool forks and with which Node flags: attempt-worker.js beside this module, or
 * its TypeScript source through core's bootstrap (`runnableModule`).
 */
import { runnableModule } from '../../core/index.js';

/** What `child_process.fork` needs to start a worker. */
export interface WorkerLaunch {
  /** Module to fork. */
  readonly modulePath: string;
  /** Arguments before the worker's config. */
  readonly args: readonly string[];
  /** Node flags. */
  readonly execArgv: readonly string[];
}

/**
 * How to start a worker whose JavaScript heap is capped at `heapLimitMb` (undefined: Node's
 * default). `--expose-gc` lets the worker collect garbage between attempts, so a reused worker's
 * next attempt starts with the memory it really holds.
 */
export function workerLaunch(heapLimitMb: number | undefined): WorkerLaunch {
  const execArgv = ['--expose-gc'];
  if (heapLimitMb !== undefined) execArgv.push(`--max-old-space-size=${heapLimitMb}`);
  const { file, sourceEntry } = runnableModule(import.meta.url, 'attempt-worker');
  return { modulePath: file, args: sourceEntry !== undefined ? [sourceEntry] : [], execArgv };
}
