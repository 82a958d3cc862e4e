/**
 * Messages between the tracing facade (threaded-tracing.ts) and its span thread (span-thread.ts).
 * Span inputs cross as they are, in arrays: a structured clone of plain records is cheaper than
 * building, encoding and sending the spans, which is what the thread does with them.
 */
import type { Tracing, TracingOptions } from './tracing.js';

/** The span-making methods of `Tracing`: each call crosses as `[method, input]`. */
export type SpanMethod =
  'attemptSpan' | 'runSpan' | 'attemptChildSpan' | 'httpClientSpan' | 'httpServerSpan';

/** One call of a span-making method. */
export type SpanCall = {
  [M in SpanMethod]: readonly [M, Parameters<Tracing[M]>[0]];
}[SpanMethod];

/** What the thread is started with (its `workerData`). */
export interface SpanThreadData {
  readonly options: Omit<TracingOptions, 'logger' | 'endpoint'> & { readonly url: string };
  /** The TypeScript entry the bootstrap loads (source runs only, such as tests). */
  readonly entry?: string;
}

/** From the facade to the thread. */
export type ToSpanThread =
  | { readonly type: 'spans'; readonly calls: readonly SpanCall[] }
  | { readonly type: 'flush' | 'shutdown'; readonly id: number };

/** From the thread to the facade. */
export type FromSpanThread =
  | { readonly type: 'done'; readonly id: number }
  | { readonly type: 'warn'; readonly message: string };
