/**
 * Feeds traces from the pipelines runtime: a span per ended attempt (with its resources), spans
 * for the lake commits the attempt made (read back from the catalogue: the lake cannot import
 * the observe domain) and for the HTTP requests it made (recorded by the attempt's worker and
 * carried by its result), and the run's root span when the run ends. Only built when tracing is on.
 */
import { UsageError, type Logger } from '../core/index.js';
import type { MetaStore } from '../meta/index.js';
import type { AttemptSpanInput, Tracing } from '../observe/index.js';
import type { AttemptReport, RuntimeHooks } from '../pipelines/index.js';

/** Environment variable with the OTLP/HTTP endpoint; unset: no tracing. */
export const OTLP_ENDPOINT_ENV = 'MARKETLAKE_OTLP_ENDPOINT';

/** The process's tracing from `MARKETLAKE_OTLP_ENDPOINT` (the no-op when unset). */
export async function openTracing(
  serviceName: string,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Tracing> {
  const { createTracing } = await import('../observe/index.js');
  return createTracing({ endpoint: env[OTLP_ENDPOINT_ENV], serviceName, logger });
}

/** Environment variable: trace one plain API request in this many (default 10). */
export const HTTP_TRACE_SAMPLE_ENV = 'MARKETLAKE_OTLP_HTTP_SAMPLE_EVERY';

/** How many plain API requests share one span, from the environment (default 10). */
export function httpTraceSampleEvery(env: NodeJS.ProcessEnv): number {
  const raw = env[HTTP_TRACE_SAMPLE_ENV];
  const n = raw === undefined || raw === '' ? 10 : Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(
      `${HTTP_TRACE_SAMPLE_ENV}=${raw ?? ''}: use a whole number >= 1 (1 traces every request).`,
    );
  return n;
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

/** Emits a span per lake version an attempt committed (the writer is the attempt or its run). */
async function commitSpans(tracing: Tracing, meta: MetaStore, a: AttemptSpanInput): Promise<void> {
  const versions = await meta.db
    .selectFrom('dataset_versions')
    .selectAll()
    .where('writer', 'in', [a.attemptId, a.runId])
    .where('created_at', '>=', new Date(a.startMs).toISOString())
    .where('created_at', '<=', new Date(a.endMs).toISOString())
    .orderBy('created_at')
    .execute();
  for (const v of versions) {
    // The catalogue keeps when a commit became visible, not when it began: an instant span.
    const at = Date.parse(v.created_at);
    tracing.attemptChildSpan({
      runId: a.runId,
      attemptId: a.attemptId,
      name: `lake.commit ${v.dataset}`,
      startMs: at,
      endMs: at,
      attributes: {
        'marketlake.dataset': v.dataset,
        'marketlake.dataset.version': Number(v.version),
        'marketlake.operation': v.operation,
        'marketlake.rows_added': Number(v.rows_added),
        'marketlake.rows_removed': Number(v.rows_removed),
        'marketlake.files_added': Number(v.files_added),
        'marketlake.partitions': v.partitions_json,
      },
    });
  }
}

/** Options of `tracingHooks`. */
export interface TracingHooksOptions {
  /** This process's worker id, once the runtime has started. */
  workerId?: () => string | undefined;
  logger?: Logger;
}

/** Runtime hooks that emit spans to `tracing`; undefined when tracing is off (no per-attempt work). */
export function tracingHooks(
  tracing: Tracing,
  meta: MetaStore,
  options: TracingHooksOptions = {},
): RuntimeHooks | undefined {
  if (!tracing.enabled) return undefined;
  const warn = (err: unknown, what: string): void => {
    options.logger?.warn({ err }, `tracing: ${what}`);
  };
  return {
    attemptFinished(report): void {
      const input = attemptSpanInput(report, options.workerId?.());
      tracing.attemptSpan(input);
      for (const request of report.result?.http?.requests ?? [])
        tracing.httpClientSpan({ runId: input.runId, attemptId: input.attemptId, request });
      if (report.result?.startedAt !== undefined)
        commitSpans(tracing, meta, input).catch((err: unknown) =>
          warn(err, 'could not read the lake commits of an attempt'),
        );
    },
    runFinished(run): void {
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
        });
      })().catch((err: unknown) => warn(err, 'could not read the run for its span'));
    },
  };
}
