/**
 * The public SDK of marketlake: what a project's `marketlake.config.ts` and pipeline files import
 * as `from 'marketlake'`.
 */
export { defineConfig } from './core/index.js';
export type { UserConfig, MarketlakeConfig } from './core/index.js';
// The SDK's light doors (see eslint-rules/domain-boundaries.js): attempt workers import this
// module, and the whole pipelines domain (run store, scheduler, drivers) has no business there.
export { asset, barChecks, inbox, schedule, sensor } from './pipelines/sdk/index.js';
export {
  daily,
  monthly,
  multiPartitions,
  sessions,
  staticPartitions,
} from './pipelines/partitions/index.js';
export { NonRetryableError } from './pipelines/errors.js';
export { readBars, type AdjustedBar, type ReadBarsOptions } from './market/index.js';
export type {
  AssetCheckOptions,
  BarChecksOptions,
  AssetContext,
  AssetDefinition,
  AssetOptions,
  AssetResources,
  AssetRunFunction,
  AssetSelection,
  CatchUpPolicy,
  CheckResult,
  DailyOptions,
  FetchRetryOptions,
  InboxOptions,
  KeyPage,
  KeyRange,
  MonthlyOptions,
  PartitionsDefinition,
  RetryOptions,
  RetryPolicy,
  RunRequest,
  ScheduleDefinition,
  ScheduleOptions,
  SchedulePartitionMode,
  SensorContext,
  SensorDefinition,
  SensorOptions,
  SensorResult,
  SessionsOptions,
  TaskLogger,
} from './pipelines/index.js';
export {
  builtinConnectors,
  defineConnector,
  expectShape,
  getConnector,
  ingestDroppedFile,
  loadVendorMapping,
  parseCsvBody,
  parseJsonBody,
  parseVendorMapping,
  runConnector,
  startFixtureServer,
  testConnector,
} from './connectors/index.js';
export type {
  BarRow,
  Connector,
  ConnectorContext,
  ConnectorDefinition,
  ConnectorListener,
  ConnectorRunOptions,
  ConnectorRunSummary,
  CorporateActionRow,
  FetchTask,
  IngestOptions,
  IngestResult,
  InstrumentRow,
  IntradayBarRow,
  MappedRows,
  SeriesRow,
  VendorMapping,
} from './connectors/index.js';
