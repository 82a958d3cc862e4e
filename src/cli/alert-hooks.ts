/**
 * Feeds alerting from the pipelines runtime: a failed run, a failed check or an attempt killed for
 * its memory or time asks the alert manager for an evaluation at once, so a failure is told
 * within the group wait instead of at the next periodic evaluation.
 */
import type { AlertManager } from '../observe/index.js';
import type { RuntimeHooks } from '../pipelines/index.js';

/** Runtime hooks that wake `manager()` (undefined while alerting is not started). */
export function alertHooks(manager: () => AlertManager | undefined): RuntimeHooks {
  return {
    runFinished(run): void {
      if (run.state === 'failed') manager()?.requestEvaluation();
    },
    checkFinished(_asset, outcome): void {
      if (!outcome.passed) manager()?.requestEvaluation();
    },
    attemptFinished(report): void {
      const reason = report.result?.exitReason;
      if (reason === 'OOM' || reason === 'TIMEOUT') manager()?.requestEvaluation();
    },
  };
}
