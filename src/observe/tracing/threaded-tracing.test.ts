import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/helpers/otlp-receiver.js';
import type { Logger } from '../../core/index.js';
import { CALLS_PER_MESSAGE, createThreadedTracing } from './threaded-tracing.js';
import { otlpTracesUrl } from './tracing.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');

function run(i: number) {
  return {
    runId: `run_${i}`,
    kind: 'manual',
    job: null,
    state: 'succeeded',
    startMs: T0 + i,
    endMs: T0 + i + 5,
  };
}

/** A logger that keeps its warnings. */
function warnings(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const warn = (a: unknown, b?: unknown): void => {
    lines.push(typeof a === 'string' ? a : String(b));
  };
  return { logger: { warn } as unknown as Logger, lines };
}

describe('threaded tracing', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('sends every call, in order, and flush waits until the collector has them', async () => {
    const tracing = createThreadedTracing({
      serviceName: 'svc',
      url: otlpTracesUrl(receiver.url),
      // Only flush sends: the export's own delay is longer than the test.
      exportDelayMs: 60_000,
    });
    // More than one message's worth, so calls cross in several messages.
    const n = CALLS_PER_MESSAGE * 2 + 7;
    for (let i = 0; i < n; i++) tracing.runSpan(run(i));
    await tracing.flush();
    expect(receiver.spans).toHaveLength(n);
    expect(receiver.spans.map((s) => s.attributes['cicd.pipeline.run.id'])).toEqual(
      Array.from({ length: n }, (_, i) => `run_${i}`),
    );
    expect(receiver.spans[0]).toMatchObject({ service: 'svc', name: 'RUN manual', startMs: T0 });
    await tracing.shutdown();
  });

  it('drops spans after shutdown, and flush and shutdown then return at once', async () => {
    const tracing = createThreadedTracing({ serviceName: 'svc', url: otlpTracesUrl(receiver.url) });
    tracing.runSpan(run(1));
    await tracing.shutdown();
    expect(receiver.spans).toHaveLength(1);
    tracing.runSpan(run(2));
    await tracing.flush();
    await tracing.shutdown();
    expect(receiver.spans).toHaveLength(1);
  });

  it('passes export failures to the logger as warnings', async () => {
    // A collector that refuses every export with 400 (not retried).
    const refusing: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(400).end('bad'));
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const { port } = refusing.address() as AddressInfo;
    const { logger, lines } = warnings();
    const tracing = createThreadedTracing({
      serviceName: 'svc',
      url: `http://127.0.0.1:${port}/v1/traces`,
      logger,
    });
    tracing.runSpan(run(1));
    await tracing.shutdown();
    await new Promise<void>((resolve) => refusing.close(() => resolve()));
    expect(lines.some((l) => /^tracing: export of 1 span\(s\) .* failed: HTTP 400/.test(l))).toBe(
      true,
    );
  });
});

describe('threaded tracing with bad input', () => {
  it('loses the span of an input that cannot cross or be built, and goes on', async () => {
    const receiver = await startOtlpReceiver();
    const { logger, lines } = warnings();
    const tracing = createThreadedTracing({
      serviceName: 'svc',
      url: otlpTracesUrl(receiver.url),
      logger,
    });
    // A function cannot be cloned to the span thread: that message is lost.
    tracing.runSpan({ ...run(1), error: (() => 'x') as unknown as string });
    await tracing.flush();
    // An attempt without its resources cannot be made a span: that call is lost.
    tracing.attemptSpan({
      runId: 'run_2',
      attemptId: 'att_2',
      asset: 'a',
      partition: null,
      attempt: 1,
      startMs: T0,
      endMs: T0 + 1,
      state: 'succeeded',
      exitReason: 'OK',
      resources: undefined as never,
    });
    tracing.runSpan(run(3));
    await tracing.shutdown();
    await receiver.close();
    expect(receiver.spans.map((s) => s.attributes['cicd.pipeline.run.id'])).toEqual(['run_3']);
    expect(lines).toContain('tracing: spans could not be handed to the span thread');
    expect(
      lines.some((l) => l.startsWith('tracing: attemptSpan: this input could not be made a span')),
    ).toBe(true);
  });
});
