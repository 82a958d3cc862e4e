/**
 * Which ended attempts get a span. A run of a few attempts is traced whole; a large fan-out or
 * backfill keeps every attempt that says something (failed, retried, slow, wrote to the lake,
 * made HTTP requests) and, of the rest, the first `FIRST_PER_RUN` of each run and then one in
 * `every`. The run's span counts the attempts left out, so a trace says when it is sampled.
 */
import type { AttemptReport } from '../pipelines/index.js';

/** Attempts of a run that always get a span. */
export const FIRST_PER_RUN = 100;

/** An attempt at least this long (s) always gets a span. */
export const SLOW_ATTEMPT_SECONDS = 1;

/** Runs whose counts are kept at once (a worker runs the attempts of a few runs at a time). */
const RUNS_KEPT = 1024;

interface RunCount {
  seen: number;
  left: number;
}

/** Decides per attempt, counting per run. */
export class AttemptSampler {
  readonly #runs = new Map<string, RunCount>();

  /** `every`: one in this many plain attempts past the first ones of a run (1: all). */
  constructor(private readonly every: number) {}

  /** Whether the attempt gets a span. */
  keep(report: AttemptReport): boolean {
    const { claim, result, outcome } = report;
    let run = this.#runs.get(claim.runId);
    if (run === undefined) {
      if (this.#runs.size >= RUNS_KEPT) this.#runs.delete(this.#runs.keys().next().value!);
      run = { seen: 0, left: 0 };
      this.#runs.set(claim.runId, run);
    }
    const n = run.seen++;
    const u = result?.usage;
    const telling =
      this.every <= 1 ||
      n < FIRST_PER_RUN ||
      outcome?.state !== 'succeeded' ||
      claim.attempt > 1 ||
      (u?.wallSeconds ?? 0) >= SLOW_ATTEMPT_SECONDS ||
      (u?.rowsWritten ?? 0) > 0 ||
      (u?.bytesWritten ?? 0) > 0 ||
      (result?.http?.requests.length ?? 0) + (result?.http?.unrecorded ?? 0) > 0;
    if (telling || (n - FIRST_PER_RUN) % this.every === 0) return true;
    run.left++;
    return false;
  }

  /** Attempts of the run that got no span; forgets the run. */
  finishRun(runId: string): number {
    const left = this.#runs.get(runId)?.left ?? 0;
    this.#runs.delete(runId);
    return left;
  }
}
