import type { Logger, MarketlakeConfig } from '../core/index.js';
import type { Lake } from '../lake/index.js';
import type { MetaStore } from '../meta/index.js';
import type { PlatformMetrics, Tracing } from '../observe/index.js';
import type { PipelinesRuntime } from '../pipelines/index.js';

/** The running platform's parts that routes use. */
export interface Platform {
  config: MarketlakeConfig;
  store: MetaStore;
  lake: Lake;
  logger: Logger;
  startedAt: Date;
  /**
   * The process's metrics; `createServer` creates them when absent. `false` serves no /metrics
   * and records no request durations (the overhead benchmark's baseline).
   */
  metrics?: PlatformMetrics | false;
  /** Trace one plain API request in this many (default 1: all; see request-observer.ts). */
  httpTraceSampleEvery?: number;
  /** Traces of API requests; absent or disabled: none. */
  tracing?: Tracing;
  /** The pipelines runtime (submit, cancel, retry, backfill); absent in tools that only read. */
  pipelines?: PipelinesRuntime;
}
