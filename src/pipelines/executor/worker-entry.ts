/**
 * Which file the pool forks and with which Node flags. Built code forks attempt-worker.js beside
 * this module; TypeScript sources (tests) fork worker-bootstrap.mjs, which loads attempt-worker.ts
 * through jiti, so no loader flag has to be given to Node.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
  const built = fileURLToPath(new URL('./attempt-worker.js', import.meta.url));
  if (existsSync(built)) return { modulePath: built, args: [], execArgv };
  return {
    modulePath: fileURLToPath(new URL('./worker-bootstrap.mjs', import.meta.url)),
    args: [fileURLToPath(new URL('./attempt-worker.ts', import.meta.url))],
    execArgv,
  };
}
