/**
 * Worker side: while a `run` task runs, what it writes to process.stdout and process.stderr
 * (console.log included) becomes log lines of the attempt, sent over the same IPC channel as
 * ctx.log so the two keep their order. Between attempts output goes to the real streams.
 */
import type { LogStream } from './worker-protocol.js';

/** Receives complete lines. */
export type LineSink = (stream: LogStream, line: string) => void;

/** Redirects the worker's stdout and stderr to a sink while one is set. */
export class WorkerOutput {
  private sink: LineSink | undefined;
  private readonly partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  /** Patches process.stdout and process.stderr; call once per worker. */
  install(): void {
    this.patch(process.stdout, 'stdout');
    this.patch(process.stderr, 'stderr');
  }

  /** Sends lines to `sink` until `release`. */
  capture(sink: LineSink): void {
    this.sink = sink;
  }

  /** Flushes unfinished lines to the sink and stops capturing. */
  release(): void {
    const sink = this.sink;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') sink?.(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
    this.sink = undefined;
  }

  private patch(target: NodeJS.WriteStream, stream: 'stdout' | 'stderr'): void {
    const original = target.write.bind(target) as (...args: unknown[]) => boolean;
    const replacement = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const sink = this.sink;
      if (sink === undefined) return original(chunk, ...rest);
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const lines = (this.partial[stream] + text).split('\n');
      this.partial[stream] = lines.pop() ?? '';
      for (const line of lines) sink(stream, line.endsWith('\r') ? line.slice(0, -1) : line);
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      if (callback !== undefined) queueMicrotask(callback);
      return true;
    };
    target.write = replacement;
  }
}
