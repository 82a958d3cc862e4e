import type { Logger } from '../core/index.js';
import type { MetaStore } from '../meta/index.js';
import type { DirectReader } from './direct-read.js';
import type { DuckEngine } from './duck-engine.js';
import type { LakeLayout } from './layout.js';
import type { ReadSession } from './read-session.js';

/** What the lake's operations share: metadata, file layout, the DuckDB engine and settings. */
export interface LakeContext {
  store: MetaStore;
  layout: LakeLayout;
  engine: DuckEngine;
  logger: Logger;
  /** Rows per Parquet row group: smaller groups make point reads cheaper. */
  rowGroupSize: number;
  /** Connections with cached prepared statements for point reads. */
  reads: ReadSession;
  /** Point reads straight from the Parquet files; null reads everything through DuckDB. */
  direct: DirectReader | null;
  /** How long a writer waits for another writer of the same dataset. */
  writeLockWaitMs: number;
}
