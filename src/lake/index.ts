export * from './errors.js';
export * from './dataset-spec.js';
export {
  builtinDatasets,
  bars1d,
  bars1m,
  instruments,
  corporateActions,
  checkRuns,
  checkFailures,
} from './builtins.js';
export type { CommitGuard, LakeFile, DatasetVersion } from './catalog.js';
export type { CompactResult } from './compact.js';
export type { ImportOptions, ImportResult, ImportProgress, ImportFormat } from './file-import.js';
export { Lake, type LakeOptions, type WriteInput } from './lake.js';
export { LakeLayout } from './layout.js';
export type { QuarantinedRow, QuarantineQuery } from './quarantine.js';
export type { QueryResult } from './query-engine.js';
export type { ReadOptions, ReadResult, ReadFilter } from './read.js';
export type { ColumnMapping } from './staged-input.js';
export type { VacuumResult } from './vacuum.js';
export type { WriteOptions, WriteResult, WriteMode } from './write-commit.js';
export type { ArrowTableLike, RowsInput } from './write-inputs.js';
export { datasetSummaries, describePartitioning, type DatasetSummary } from './summaries.js';
