/**
 * Tracing whose spans are built, encoded and exported on a thread of their own (span-thread.ts).
 * The calling thread, which runs the pipelines runtime or the API, only appends each call's input
 * to an array; the array crosses to the span thread when it holds `CALLS_PER_MESSAGE` calls or
 * `HAND_OVER_MS` after its first. Decision 0009 says why.
 */
import { Worker } from 'node:worker_threads';
import { runnableModule } from '../../core/index.js';
import type {
  FromSpanThread,
  SpanCall,
  SpanThreadData,
  ToSpanThread,
} from './span-thread-protocol.js';
import type { Tracing, TracingOptions } from './tracing.js';

/** Calls sent to the span thread in one message. */
export const CALLS_PER_MESSAGE = 256;

/** Longest a call waits in this thread before it is sent (ms); the export adds its own delay. */
export const HAND_OVER_MS = 50;

/** The tracing of `createTracing` when an endpoint is set: `options.url` is the traces URL. */
export function createThreadedTracing(options: TracingOptions & { url: string }): Tracing {
  const { logger, endpoint: _endpoint, ...rest } = options;
  const warn = (message: string): void => logger?.warn(`tracing: ${message}`);
  // The compiled span-thread.js, or its TypeScript source through core's bootstrap.
  const { file, sourceEntry } = runnableModule(import.meta.url, 'span-thread');
  const data: SpanThreadData = {
    options: rest,
    ...(sourceEntry !== undefined ? { entry: sourceEntry } : {}),
  };
  const worker = new Worker(file, { workerData: data });
  // The thread never keeps the process alive by itself; it is held only while a flush waits.
  worker.unref();
  const waiting = new Map<number, () => void>();
  let nextId = 0;
  let calls: SpanCall[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let dead = false;

  const settleAll = (): void => {
    for (const resolve of waiting.values()) resolve();
    waiting.clear();
    worker.unref();
  };
  worker.on('message', (message: FromSpanThread) => {
    if (message.type === 'warn') return warn(message.message);
    waiting.get(message.id)?.();
    waiting.delete(message.id);
    if (waiting.size === 0) worker.unref();
  });
  worker.on('error', (err) => {
    dead = true;
    logger?.warn({ err }, 'tracing: the span thread failed; spans are no longer exported');
    settleAll();
  });
  worker.on('exit', () => {
    dead = true;
    settleAll();
  });

  const post = (message: ToSpanThread): void => {
    if (dead) return;
    try {
      worker.postMessage(message);
    } catch (err) {
      // A value that cannot be cloned: those spans are lost, never the caller's work.
      logger?.warn({ err }, 'tracing: spans could not be handed to the span thread');
    }
  };
  const handOver = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (calls.length === 0) return;
    post({ type: 'spans', calls });
    calls = [];
  };
  const add = (call: SpanCall): void => {
    if (closed || dead) return;
    calls.push(call);
    if (calls.length >= CALLS_PER_MESSAGE) handOver();
    else timer ??= setTimeout(handOver, HAND_OVER_MS).unref();
  };
  /** Sends what waits here, then asks the thread to flush or shut down and waits for it. */
  const request = (type: 'flush' | 'shutdown'): Promise<void> => {
    handOver();
    if (dead) return Promise.resolve();
    const id = nextId++;
    worker.ref();
    return new Promise<void>((resolve) => {
      waiting.set(id, resolve);
      post({ type, id });
    });
  };

  return {
    enabled: true,
    url: options.url,
    attemptSpan: (input) => add(['attemptSpan', input]),
    runSpan: (input) => add(['runSpan', input]),
    attemptChildSpan: (input) => add(['attemptChildSpan', input]),
    httpClientSpan: (input) => add(['httpClientSpan', input]),
    httpServerSpan: (input) => add(['httpServerSpan', input]),
    flush: () => request('flush'),
    async shutdown() {
      if (closed) return;
      const done = request('shutdown');
      closed = true;
      await done;
      await worker.terminate();
    },
  };
}
