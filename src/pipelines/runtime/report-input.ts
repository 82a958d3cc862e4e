/** The report a worker loop makes on an ended attempt, from the executor's result. */
import type { AttemptResult } from '../executor/index.js';
import type { AttemptReportInput, ClaimedAttempt } from '../runs/index.js';

/** What the loop knows of a failure that happened outside the attempt (it could not start). */
export interface LoopFailure {
  readonly message: string;
  readonly code?: string;
  readonly retryable: boolean;
}

/**
 * A success with the measured resources, unless `blocked` (a blocking check failed: the
 * attempt fails without retry) or the result is not OK (the error, retryable unless it says
 * otherwise).
 */
export function reportInput(
  claim: ClaimedAttempt,
  workerId: string,
  result: AttemptResult | undefined,
  blocked: string | undefined,
  failure: LoopFailure | undefined,
): AttemptReportInput {
  const held = { runId: claim.runId, attemptId: claim.attemptId, workerId };
  const resources = result === undefined ? {} : resourcesOf(result);
  if (result?.exitReason === 'OK') {
    if (blocked === undefined) return { kind: 'complete', ...held, result: resources };
    const check = { message: blocked, code: 'PIPELINES_CHECK_BLOCKED', retryable: false };
    return { kind: 'fail', ...held, failure: { ...resources, ...check } };
  }
  const error = result?.error;
  return {
    kind: 'fail',
    ...held,
    failure: {
      ...resources,
      message: failure?.message ?? error?.stack ?? error?.message ?? 'The attempt failed.',
      code: failure?.code ?? error?.code,
      retryable: failure?.retryable ?? error?.retryable ?? true,
    },
  };
}

function resourcesOf(result: AttemptResult): Record<string, unknown> & { exitReason: string } {
  const u = result.usage;
  return {
    wallSeconds: u.wallSeconds,
    cpuUserSeconds: u.cpuUserSeconds,
    cpuSystemSeconds: u.cpuSystemSeconds,
    peakRssBytes: u.peakRssBytes,
    rowsWritten: u.rowsWritten,
    bytesRead: u.bytesRead,
    bytesWritten: u.bytesWritten,
    metadata: result.metadata,
    exitReason: result.exitReason,
  };
}
