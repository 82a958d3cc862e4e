/**
 * The span thread: builds, encodes and exports the spans whose inputs the tracing facade sends
 * (threaded-tracing.ts), with the same in-thread tracing (otel-tracing.ts) a single thread would
 * use. Export failures go back to the facade as warnings; `flush` and `shutdown` are answered once
 * done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createOtelTracing } from './otel-tracing.js';
import type {
  FromSpanThread,
  SpanCall,
  SpanThreadData,
  ToSpanThread,
} from './span-thread-protocol.js';
import type { Tracing } from './tracing.js';

const port = parentPort;
if (port === null) throw new Error('span-thread.ts runs as a worker thread of threaded-tracing.ts');
const send = (message: FromSpanThread): void => port.postMessage(message);
const { options } = workerData as SpanThreadData;
const tracing = createOtelTracing({
  ...options,
  warn: (message) => send({ type: 'warn', message }),
});

function emit(tracing: Tracing, call: SpanCall): void {
  switch (call[0]) {
    case 'attemptSpan':
      return tracing.attemptSpan(call[1]);
    case 'runSpan':
      return tracing.runSpan(call[1]);
    case 'attemptChildSpan':
      return tracing.attemptChildSpan(call[1]);
    case 'httpClientSpan':
      return tracing.httpClientSpan(call[1]);
    case 'httpServerSpan':
      return tracing.httpServerSpan(call[1]);
  }
}

port.on('message', (message: ToSpanThread) => {
  if (message.type === 'spans') {
    for (const call of message.calls) {
      try {
        emit(tracing, call);
      } catch (err) {
        // One malformed input loses its span, not the thread.
        send({
          type: 'warn',
          message: `${call[0]}: this input could not be made a span: ${String(err)}`,
        });
      }
    }
    return;
  }
  const { id } = message;
  const done = message.type === 'flush' ? tracing.flush() : tracing.shutdown();
  // Neither rejects: export failures are warnings already.
  void done.then(() => {
    send({ type: 'done', id });
    if (message.type === 'shutdown') port.close();
  });
});
