/**
 * Trace and span ids derived from marketlake's own ids. A run's trace id is a hash of the run id,
 * and each run or attempt span id a hash of its id, so any process (the API, any worker, an attempt's
 * child process) can emit spans into a run's trace without passing context around.
 */
import * as crypto from 'node:crypto';

const ALL_ZERO = /^0+$/;

/** SHA-256 in hex: `crypto.hash` (Node >= 20.12) costs a third of a `createHash` object. */
const sha256Hex: (input: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (input) => crypto.hash('sha256', input, 'hex')
    : (input) => crypto.createHash('sha256').update(input).digest('hex');

function hex(input: string, bytes: number): string {
  const id = sha256Hex(input).slice(0, 2 * bytes);
  // An all-zero id is invalid in W3C trace context; flip the last bit in that (theoretical) case.
  return ALL_ZERO.test(id) ? `${id.slice(0, -1)}1` : id;
}

/** The 16-byte trace id (32 hex digits) of run `runId`. */
export function traceIdOfRun(runId: string): string {
  return hex(`marketlake/trace/${runId}`, 16);
}

/** The 8-byte span id (16 hex digits) of the run span of `runId`. */
export function runSpanId(runId: string): string {
  return hex(`marketlake/run/${runId}`, 8);
}

/** The 8-byte span id of the span of attempt `attemptId`. */
export function attemptSpanId(attemptId: string): string {
  return hex(`marketlake/attempt/${attemptId}`, 8);
}

/** A parsed W3C `traceparent` header. */
export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a W3C `traceparent` header; undefined when absent or malformed (a new trace starts). */
export function parseTraceParent(header: string | undefined): TraceParent | undefined {
  const match = header === undefined ? null : TRACEPARENT.exec(header.trim().toLowerCase());
  if (match === null) return undefined;
  const [, versionHex, traceId, spanId, flags] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (versionHex === 'ff' || ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}
