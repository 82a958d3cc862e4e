import type { CounterChild, GaugeChild, HistogramChild } from './compact-instruments.js';
import type { AttemptFinishedEvent } from './metric-events.js';
import type { createFamilies } from './metric-families.js';

type Families = ReturnType<typeof createFamilies>;

/** The per-asset series an ended attempt records into. */
interface AssetSeries {
  readonly duration: HistogramChild;
  readonly cpuUser: CounterChild;
  readonly cpuSystem: CounterChild;
  readonly peak: GaugeChild;
  readonly rows: CounterChild;
  readonly bytes: CounterChild;
  /** `attempts_total` by state and exit reason (`state\0exit_reason`). */
  readonly outcomes: Map<string, CounterChild>;
}

/** The figures of one ended attempt, already checked. */
export type AttemptFigures = Omit<AttemptFinishedEvent, 'asset' | 'state' | 'exitReason' | 'pool'>;

/**
 * The attempt metrics' series, bound once per asset (and per outcome and pool): a fan-out
 * records thousands of attempts of one asset, so each costs a few map lookups instead of
 * building eight label keys. The caller checks the label values and figures first.
 */
export class AttemptSeries {
  private readonly byAsset = new Map<string, AssetSeries>();
  private readonly byPool = new Map<string, HistogramChild>();

  constructor(private readonly f: Families) {}

  /** Records one ended attempt. */
  record(asset: string, state: string, exitReason: string, pool: string, x: AttemptFigures): void {
    const a = this.assetSeries(asset);
    const outcome = `${state}\u0000${exitReason}`;
    let attempts = a.outcomes.get(outcome);
    if (attempts === undefined) {
      attempts = this.f.attempts.child({ asset, state, exit_reason: exitReason });
      a.outcomes.set(outcome, attempts);
    }
    let queue = this.byPool.get(pool);
    if (queue === undefined) {
      queue = this.f.attemptQueueDuration.child({ pool });
      this.byPool.set(pool, queue);
    }
    attempts.inc();
    a.duration.observe(x.wallSeconds);
    queue.observe(x.queueSeconds);
    a.cpuUser.inc(x.cpuUserSeconds);
    a.cpuSystem.inc(x.cpuSystemSeconds);
    a.peak.set(x.peakRssBytes);
    a.rows.inc(x.rowsWritten);
    a.bytes.inc(x.bytesWritten);
  }

  private assetSeries(asset: string): AssetSeries {
    let a = this.byAsset.get(asset);
    if (a === undefined) {
      const labels = { asset };
      a = {
        duration: this.f.attemptDuration.child(labels),
        cpuUser: this.f.attemptCpu.child({ asset, mode: 'user' }),
        cpuSystem: this.f.attemptCpu.child({ asset, mode: 'system' }),
        peak: this.f.attemptPeakMemory.child(labels),
        rows: this.f.writtenRows.child(labels),
        bytes: this.f.writtenBytes.child(labels),
        outcomes: new Map(),
      };
      this.byAsset.set(asset, a);
    }
    return a;
  }
}
