/**
 * Feeds traces from the pipelines runtime: a span per ended attempt (with its resources), spans
 * for the lake commits the attempt made (commit-spans.ts) and for the HTTP requests it made
 * (recorded by the attempt's worker and carried by its result), and the run's root span when the
 * run ends. Only built when tracing is on.
 */
import { UsageError, type Logger } from '../core/index.js';
import type { MetaStore } from '../meta/index.js';
import type { AttemptSpanInput, Tracing } from '../observe/index.js';
import type { AttemptReport, RuntimeHooks } from '../pipelines/index.js';
import { AttemptSampler } from './attempt-sampling.js';
import { CommitSpans } from './commit-spans.js';

/** Environment variable with the OTLP/HTTP endpoint; unset: no tracing. */
export const OTLP_ENDPOINT_ENV = 'MARKETLAKE_OTLP_ENDPOINT';

/** Environment variable with the encoding: `http/protobuf` (default) or `http/json`. */
export const OTLP_PROTOCOL_ENV = 'MARKETLAKE_OTLP_PROTOCOL';

/**
 * The process's tracing from `MARKETLAKE_OTLP_ENDPOINT` (the no-op when unset) and
 * `MARKETLAKE_OTLP_PROTOCOL`.
 */
export async function openTracing(
  serviceName: string,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Tracing> {
  const { createTracing, OTLP_PROTOCOLS } = await import('../observe/index.js');
  const raw = env[OTLP_PROTOCOL_ENV]?.trim();
  const protocol = OTLP_PROTOCOLS.find((p) => p === raw);
  if (raw !== undefined && raw !== '' && protocol === undefined)
    throw new UsageError(
      `${OTLP_PROTOCOL_ENV}=${raw}: use ${OTLP_PROTOCOLS.join(' or ')} (gRPC is not offered; point MARKETLAKE_OTLP_ENDPOINT at the collector's OTLP/HTTP port, usually 4318).`,
    );
  return createTracing({
    endpoint: env[OTLP_ENDPOINT_ENV],
    serviceName,
    logger,
    ...(protocol !== undefined ? { protocol } : {}),
  });
}

/**
 * Environment variable: trace one plain API request in this many (default 100: a sampled span
 * costs about a sixth of a small request's CPU; failed, slow and caller-traced ones are always kept).
 */
export const HTTP_TRACE_SAMPLE_ENV = 'MARKETLAKE_OTLP_HTTP_SAMPLE_EVERY';

/**
 * Environment variable: past the first 100 attempts of a run, trace one plain attempt in this
 * many (default 10; failed, retried, slow ones and those that wrote or fetched are always kept).
 */
export const ATTEMPT_TRACE_SAMPLE_ENV = 'MARKETLAKE_OTLP_ATTEMPT_SAMPLE_EVERY';

/** A "one in this many" setting from the environment. */
function sampleEvery(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(
      `${name}=${raw ?? ''}: use a whole number >= 1 (1 traces every one, ${fallback} is the default).`,
    );
  return n;
}

/** How many plain API requests share one span, from the environment (default 100). */
export function httpTraceSampleEvery(env: NodeJS.ProcessEnv): number {
  return sampleEvery(env, HTTP_TRACE_SAMPLE_ENV, 100);
}

/** How many plain attempts past a run's first 100 share one span, from the environment (default 10). */
export function attemptTraceSampleEvery(env: NodeJS.ProcessEnv): number {
  return sampleEvery(env, ATTEMPT_TRACE_SAMPLE_ENV, 10);
}

/** The span input of an ended attempt. */
export function attemptSpanInput(report: AttemptReport, workerId?: string): AttemptSpanInput {
  const { claim, result, outcome } = report;
  const endMs = result?.finishedAt.getTime() ?? Date.now();
  const u = result?.usage;
  const error = result?.error;
  const http = result?.http;
  return {
    runId: claim.runId,
    attemptId: claim.attemptId,
    asset: claim.asset,
    partition: claim.partition,
    attempt: claim.attempt,
    startMs: result?.startedAt?.getTime() ?? endMs,
    endMs,
    state: outcome?.state ?? 'lost',
    exitReason: result?.exitReason ?? 'NOT_STARTED',
    ...(error?.code !== undefined ? { errorCode: error.code } : {}),
    ...(error !== undefined ? { errorMessage: error.message } : {}),
    ...(workerId !== undefined ? { workerId } : {}),
    ...(claim.pool !== null ? { pool: claim.pool } : {}),
    ...(http !== undefined
      ? {
          http: {
            requests: http.requests.length + http.unrecorded,
            unrecorded: http.unrecorded,
          },
        }
      : {}),
    resources: {
      wallSeconds: u?.wallSeconds ?? 0,
      queueSeconds: claim.queueSeconds,
      cpuUserSeconds: u?.cpuUserSeconds ?? 0,
      cpuSystemSeconds: u?.cpuSystemSeconds ?? 0,
      peakRssBytes: u?.peakRssBytes ?? 0,
      rowsWritten: u?.rowsWritten ?? 0,
      bytesRead: u?.bytesRead ?? 0,
      bytesWritten: u?.bytesWritten ?? 0,
    },
  };
}

/** Options of `tracingHooks`. */
export interface TracingHooksOptions {
  /** This process's worker id, once the runtime has started. */
  workerId?: () => string | undefined;
  logger?: Logger;
  /** One plain attempt in this many past a run's first ones gets a span (default 10; 1: all). */
  attemptSampleEvery?: number;
}

/** Runtime hooks that emit spans, and `flush` for the commit spans still being looked up. */
export type TracingHooks = RuntimeHooks & {
  /** Emits the spans of work still pending (before the tracing shuts down). */
  flush(): Promise<void>;
};

/** Runtime hooks that emit spans to `tracing`; undefined when tracing is off (no per-attempt work). */
export function tracingHooks(
  tracing: Tracing,
  meta: MetaStore,
  options: TracingHooksOptions = {},
): TracingHooks | undefined {
  if (!tracing.enabled) return undefined;
  const warn = (err: unknown, what: string): void => {
    options.logger?.warn({ err }, `tracing: ${what}`);
  };
  const commits = new CommitSpans(tracing, meta, options.logger);
  const sampler = new AttemptSampler(options.attemptSampleEvery ?? 10);
  return {
    flush: () => commits.flush(),
    attemptFinished(report): void {
      if (!sampler.keep(report)) return;
      const input = attemptSpanInput(report, options.workerId?.());
      tracing.attemptSpan(input);
      for (const request of report.result?.http?.requests ?? [])
        tracing.httpClientSpan({ runId: input.runId, attemptId: input.attemptId, request });
      if (report.result?.startedAt !== undefined) commits.add(input);
    },
    runFinished(run): void {
      const notTraced = sampler.finishRun(run.runId);
      void (async () => {
        const row = await meta.db
          .selectFrom('runs')
          .select(['created_at', 'finished_at', 'error'])
          .where('id', '=', run.runId)
          .executeTakeFirst();
        const endMs = row?.finished_at ? Date.parse(row.finished_at) : Date.now();
        tracing.runSpan({
          runId: run.runId,
          kind: run.kind,
          job: run.job,
          state: run.state,
          startMs: row ? Date.parse(row.created_at) : endMs,
          endMs,
          ...(row?.error ? { error: row.error } : {}),
          ...(notTraced > 0 ? { attemptsNotTraced: notTraced } : {}),
        });
      })().catch((err: unknown) => warn(err, 'could not read the run for its span'));
    },
  };
}
