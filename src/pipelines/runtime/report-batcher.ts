/**
 * Groups the attempt reports of one worker loop into shared transactions (group commit): a
 * report waits for the transaction in flight, if any, and is then written with every other
 * report that arrived meanwhile. A lone report is written at once, so sequential tasks see no
 * extra latency. On PostgreSQL, where a transaction waits on round trips, a fan-out of short
 * attempts needs a fraction of the commits (about five reports per transaction with two slots).
 * The same transaction claims the worker's next attempts when it has room for them, so the next
 * task of a chain starts without a second transaction.
 */
import type {
  AttemptOutcome,
  AttemptReportInput,
  AttemptReportResult,
  ClaimedAttempt,
  ClaimOptions,
  RunStore,
} from '../runs/index.js';

/** Most reports in one transaction, which holds the store's write lock while it runs. */
const MAX_BATCH = 64;

/** What the worker loop asks of a batch's transaction besides the reports. */
export interface BatchClaims {
  /** The claim to make once `ending` attempts have ended, or undefined for none. */
  claimFor(ending: number): (Omit<ClaimOptions, 'now'> & { workerId: string }) | undefined;
  /** Receives the attempts claimed (before the reports' promises settle). */
  claimed(claims: ClaimedAttempt[]): void;
  /** Receives a claim's error (the reports are recorded all the same). */
  claimFailed(error: unknown): void;
  /** Receives how long each batch's transaction took, in seconds. */
  wrote?(seconds: number): void;
}

/** A recorded report, and whether its transaction also claimed for the worker. */
export interface RecordedReport {
  readonly outcome: AttemptOutcome;
  readonly claimed: boolean;
}

interface Pending {
  readonly input: AttemptReportInput;
  readonly resolve: (recorded: RecordedReport) => void;
  readonly reject: (error: unknown) => void;
}

/** Writes reports to a run store in batches. */
export class ReportBatcher {
  readonly #pending: Pending[] = [];
  #writing = false;

  constructor(
    private readonly store: Pick<RunStore, 'report' | 'reportAndClaim'>,
    private readonly claims?: BatchClaims,
  ) {}

  /** Records a report; resolves with its outcome or rejects with the error that refused it. */
  submit(input: AttemptReportInput): Promise<RecordedReport> {
    return new Promise<RecordedReport>((resolve, reject) => {
      this.#pending.push({ input, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        const inputs = batch.map((p) => p.input);
        let results: AttemptReportResult[];
        let claimed = false;
        const started = performance.now();
        try {
          const claim = this.claims?.claimFor(batch.length);
          if (claim === undefined) results = await this.store.report(inputs);
          else {
            const { workerId, ...options } = claim;
            const done = await this.store.reportAndClaim(inputs, workerId, options);
            results = done.results;
            claimed = true;
            if (done.claimError !== undefined) this.claims?.claimFailed(done.claimError);
            this.claims?.claimed(done.claimed);
          }
        } catch (error) {
          for (const p of batch) p.reject(error);
          continue;
        }
        this.claims?.wrote?.((performance.now() - started) / 1000);
        batch.forEach((p, i) => {
          const result = results[i];
          if (result?.ok === true) p.resolve({ outcome: result.outcome, claimed });
          else p.reject(result?.error ?? new Error('The report was not recorded.'));
        });
      }
    } finally {
      this.#writing = false;
    }
  }
}
