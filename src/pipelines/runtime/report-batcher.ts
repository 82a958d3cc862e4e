/**
 * Groups the attempt reports of one worker loop into shared transactions (group commit): a
 * report waits for the transaction in flight, if any, and is then written with every other
 * report that arrived meanwhile. A lone report is written at once, so sequential tasks see no
 * extra latency. On PostgreSQL, where a transaction waits on round trips, a fan-out of short
 * attempts needs a fraction of the commits (about five reports per transaction with two slots).
 */
import type {
  AttemptOutcome,
  AttemptReportInput,
  AttemptReportResult,
  RunStore,
} from '../runs/index.js';

/** Most reports in one transaction, which holds the store's write lock while it runs. */
const MAX_BATCH = 64;

interface Pending {
  readonly input: AttemptReportInput;
  readonly resolve: (outcome: AttemptOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** Writes reports to a run store in batches. */
export class ReportBatcher {
  readonly #pending: Pending[] = [];
  #writing = false;

  constructor(private readonly store: Pick<RunStore, 'report'>) {}

  /** Records a report; resolves with its outcome or rejects with the error that refused it. */
  submit(input: AttemptReportInput): Promise<AttemptOutcome> {
    return new Promise<AttemptOutcome>((resolve, reject) => {
      this.#pending.push({ input, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        let results: AttemptReportResult[];
        try {
          results = await this.store.report(batch.map((p) => p.input));
        } catch (error) {
          for (const p of batch) p.reject(error);
          continue;
        }
        batch.forEach((p, i) => {
          const result = results[i];
          if (result?.ok === true) p.resolve(result.outcome);
          else p.reject(result?.error ?? new Error('The report was not recorded.'));
        });
      }
    } finally {
      this.#writing = false;
    }
  }
}
