/**
 * Pool side of one attempt worker: forks it and waits until it is ready (forking once more when
 * starting had to load the compiler, so a warm worker carries no compiler in its resident set),
 * relays its messages and raw stdout/stderr (fatal errors the runtime prints itself), keeps the
 * tail of its stderr to explain a crash, and reports its exit once its output has drained.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PipelinesWorkerStartFailedError } from '../errors.js';
import { workerLaunch } from './worker-entry.js';
import { pinProcFiles, unpinProcFiles } from './proc-stats.js';
import {
  isWorkerMessage,
  type PoolMessage,
  type WorkerConfig,
  type WorkerMessage,
} from './worker-protocol.js';

/** How a worker process ended. */
export interface WorkerExit {
  /** Exit status, when it exited. */
  readonly code: number | null;
  /** Signal, when it was killed by one. */
  readonly signal: NodeJS.Signals | null;
}

/** What the pool hears from a worker. */
export interface WorkerListener {
  /** An IPC message. */
  message(message: WorkerMessage): void;
  /** A line the worker wrote to its real stdout or stderr (not captured by the worker itself). */
  output(stream: 'stdout' | 'stderr', line: string): void;
}

/** States of a worker in the pool. */
export type WorkerState = 'starting' | 'idle' | 'busy' | 'recycling' | 'retired';

/** Lines of stderr kept to explain a crash. */
const STDERR_TAIL_LINES = 40;
// After 'exit', how long to wait for the worker's output to drain before reporting the exit.
const EXIT_DRAIN_MS = 500;

function exitOf(child: ChildProcess): Promise<WorkerExit> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      resolve({ code: child.exitCode, signal: child.signalCode });
    };
    child.once('exit', () => (timer = setTimeout(finish, EXIT_DRAIN_MS)));
    child.once('close', finish);
  });
}

/** A forked attempt worker. */
export class WorkerProcess {
  /** Where the pool keeps it. */
  state: WorkerState = 'starting';
  /** Attempts it has run. */
  attempts = 0;
  /**
   * Its resident set when it last said `idle`, since its last attempt was sent; undefined until
   * then (the message can arrive before the pool has handled the attempt's result).
   */
  idleRssBytes: number | undefined;
  /** Who hears its messages; the pool points it at the attempt it runs. */
  listener: WorkerListener | undefined;
  /** Resolves when ready; rejects when it dies or times out first. */
  readonly ready: Promise<void>;
  /** Resolves when the ready worker has exited and its output drained. */
  readonly exited: Promise<WorkerExit>;
  private child!: ChildProcess;
  private childExit!: Promise<WorkerExit>;
  private settleExit!: (exit: WorkerExit) => void;
  private stderrTail: string[] = [];
  private gone = false;

  /** Forks a worker whose JavaScript heap is capped at `heapLimitMb` (undefined: default). */
  constructor(
    readonly heapLimitMb: number | undefined,
    private readonly config: WorkerConfig,
    startTimeoutMs: number,
  ) {
    this.exited = new Promise((resolve) => (this.settleExit = resolve));
    this.ready = this.startClean(startTimeoutMs);
    this.ready.catch(() => undefined); // the pool observes it; never an unhandled rejection
  }

  /** The worker's pid. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Whether it is still running. */
  get alive(): boolean {
    return !this.gone && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines it wrote to stderr. */
  stderr(): string {
    return this.stderrTail.join('\n');
  }

  /** Sends a message; false when the channel is gone. */
  send(message: PoolMessage): boolean {
    if (!this.child.connected) return false;
    try {
      this.child.send(message);
      return true;
    } catch {
      return false;
    }
  }

  /** Kills it at once (SIGKILL). */
  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  private async startClean(timeoutMs: number): Promise<void> {
    for (let launch = 1; ; launch++) {
      this.launch();
      const compilerLoaded = await this.waitReady(timeoutMs);
      if (!compilerLoaded || launch >= 2) break;
      // Starting compiled sources into the cache; a second start reads them from it.
      const previous = this.childExit;
      this.send({ type: 'shutdown' });
      await previous;
    }
    if (this.state === 'starting') this.state = 'idle';
    const pid = this.child.pid;
    if (pid !== undefined) pinProcFiles(pid);
    void this.childExit.then((exit) => {
      if (pid !== undefined) unpinProcFiles(pid);
      this.gone = true;
      this.settleExit(exit);
    });
  }

  private launch(): void {
    const launch = workerLaunch(this.heapLimitMb);
    const child = fork(launch.modulePath, [...launch.args, JSON.stringify(this.config)], {
      execArgv: [...launch.execArgv],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    this.stderrTail = [];
    this.childExit = exitOf(child);
    child.on('message', (message) => {
      if (!isWorkerMessage(message) || child !== this.child) return;
      if (message.type === 'idle') this.idleRssBytes = message.rssBytes;
      this.listener?.message(message);
    });
    child.on('error', () => undefined); // EPIPE after death shows as the exit
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream];
      if (source === null) continue;
      createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => {
        if (stream === 'stderr') {
          this.stderrTail.push(line);
          if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
        }
        this.listener?.output(stream, line);
      });
    }
  }

  /** Resolves with whether the worker loaded the compiler while starting. */
  private waitReady(timeoutMs: number): Promise<boolean> {
    const child = this.child;
    return new Promise((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(this.startError(`did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (message: unknown): void => {
        if (!isWorkerMessage(message) || message.type !== 'ready') return;
        clearTimeout(timer);
        ready = true;
        child.off('message', onMessage);
        resolve(message.compilerLoaded);
      };
      child.on('message', onMessage);
      void this.childExit.then((exit) => {
        if (ready) return; // exits after readiness are startClean's and the pool's to handle
        clearTimeout(timer);
        this.gone = true;
        this.settleExit(exit);
        reject(
          this.startError(`exited (${exit.signal ?? `status ${exit.code}`}) before it was ready`),
        );
      });
    });
  }

  private startError(what: string): PipelinesWorkerStartFailedError {
    const tail = this.stderr();
    return new PipelinesWorkerStartFailedError(
      `An attempt worker ${what}.${tail === '' ? '' : `\n${tail}`}`,
      { details: { pid: this.pid } },
    );
  }
}
