/**
 * Connectors: market-data sources mapped to the lake's standard datasets, with pacing, retries,
 * payload checks, incremental runs, bring-your-own-key secrets, file drops, and an SDK.
 */
export * from './errors.js';
export { secretEnvName, lookupSecret, redactUrl, redactText } from './secrets.js';
export {
  HttpClient,
  retryAfterMs,
  type ConnectorListener,
  type HttpClientOptions,
  type HttpResponse,
  type HttpStats,
  type RequestOptions,
} from './http/http-client.js';
export {
  expectShape,
  looksLikeHtml,
  looksLikeXml,
  parseCsvBody,
  parseJsonBody,
  type CsvBodyOptions,
} from './http/payload.js';
export {
  defineConnector,
  type Connector,
  type ConnectorContext,
  type ConnectorDefinition,
  type ConnectorKey,
  type FetchTask,
} from './sdk/define-connector.js';
export {
  series1d,
  targetDatasets,
  type BarRow,
  type CorporateActionRow,
  type InstrumentRow,
  type IntradayBarRow,
  type MappedRows,
  type RejectedRow,
  type SeriesRow,
  type TargetDataset,
} from './sdk/rows.js';
export { planRun, defaultUntil, type PlanOptions, type RunPlan } from './sdk/incremental.js';
export {
  collectRows,
  connectorContext,
  runConnector,
  type CollectedRows,
  type ConnectorRunOptions,
  type ConnectorRunSummary,
  type HttpOverrides,
  type TaskFailure,
} from './sdk/run-connector.js';
export { unadjustBars, type AdjustmentEvent, type AdjustableBar } from './sdk/unadjust.js';
export { builtinConnectors, getConnector } from './providers/registry.js';
export { yahoo, yahooIntraday } from './providers/yahoo/yahoo.js';
export { stooq } from './providers/stooq/stooq.js';
export { fred } from './providers/fred/fred.js';
export { ecb } from './providers/ecb/ecb.js';
export { binance } from './providers/binance/binance.js';
export { binanceIntraday } from './providers/binance/binance-intraday.js';
export { upbit } from './providers/upbit/upbit.js';
export { upbitIntraday } from './providers/upbit/upbit-intraday.js';
export { krx } from './providers/krx/krx.js';
export { dataGoKr } from './providers/data-go-kr/data-go-kr.js';
export {
  startFixtureServer,
  type Fault,
  type FixtureRoute,
  type FixtureServer,
  type RecordedRequest,
} from './testing/fixture-server.js';
export {
  testConnector,
  type ConnectorTestCase,
  type ConnectorTestResult,
} from './testing/test-connector.js';
export {
  ingestDroppedFile,
  type IngestOptions,
  type IngestResult,
} from './file-drop/ingest-dropped-file.js';
export {
  formatOf,
  loadVendorMapping,
  parseVendorMapping,
  type VendorMapping,
  type VendorMappingInput,
} from './file-drop/vendor-mapping.js';
export {
  describeSources,
  sourceHealth,
  type SourceHealth,
  type SourceInfo,
  type SourcesReport,
} from './sources.js';
