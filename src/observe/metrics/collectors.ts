import type { Logger } from '../../core/index.js';
import type { CollectedState } from './collected-state.js';
import { labelValue, nonNegative } from './metric-values.js';

/** A scrape-time callback that reads the platform's current state (see `CollectedState`). */
export type MetricsCollector = () => CollectedState | Promise<CollectedState>;

/** Options of one collector. */
export interface CollectorOptions {
  /**
   * Reuse the last result for this long instead of calling the collector on every scrape; for
   * expensive reads such as dataset sizes. Default 0 (every scrape).
   */
  readonly maxAgeMs?: number;
}

interface Entry {
  readonly collect: MetricsCollector;
  readonly maxAgeMs: number;
  cached?: { state: CollectedState; atMs: number };
}

/** One collector's outcome in a scrape. */
export type CollectorOutcome =
  | { readonly name: string; readonly ok: true; readonly state: CollectedState }
  | { readonly name: string; readonly ok: false; readonly error: unknown };

/**
 * The named collectors of one registry. Collectors run concurrently on each scrape, each bounded
 * by a timeout: a slow or failing database must cost a scrape some series, not the whole scrape
 * (Prometheus would record the target as down and every alert would go blind).
 */
export class CollectorSet {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number,
    private readonly logger: Logger | undefined,
  ) {}

  /** Adds or replaces the collector called `name`. */
  set(name: string, collect: MetricsCollector, options: CollectorOptions = {}): void {
    labelValue('metrics.setCollector', 'name', name);
    const maxAgeMs = nonNegative('metrics.setCollector', 'maxAgeMs', options.maxAgeMs ?? 0);
    this.entries.set(name, { collect, maxAgeMs });
  }

  /** Removes the collector called `name`; true when there was one. */
  remove(name: string): boolean {
    return this.entries.delete(name);
  }

  /** Names of the registered collectors, in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Runs every collector (or reuses a fresh-enough result); outcomes in registration order. */
  run(): Promise<CollectorOutcome[]> {
    return Promise.all([...this.entries].map(([name, entry]) => this.runOne(name, entry)));
  }

  private async runOne(name: string, entry: Entry): Promise<CollectorOutcome> {
    const started = this.now();
    if (entry.cached && started - entry.cached.atMs < entry.maxAgeMs) {
      return { name, ok: true, state: entry.cached.state };
    }
    try {
      const state = await this.withTimeout(name, entry.collect);
      entry.cached = { state, atMs: started };
      return { name, ok: true, state };
    } catch (error) {
      this.logger?.warn({ err: error, collector: name }, 'metrics collector failed');
      return { name, ok: false, error };
    }
  }

  private withTimeout(name: string, collect: MetricsCollector): Promise<CollectedState> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`metrics collector "${name}" took over ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    // A collector that throws synchronously is a failure like a rejected promise.
    const result = Promise.resolve().then(collect);
    return Promise.race([result, timeout]).finally(() => clearTimeout(timer));
  }
}
