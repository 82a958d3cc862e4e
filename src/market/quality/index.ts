/** Market-data quality checks: built-in checks, the runner, stored results. */
export { checkCatalog, checkNames, type CheckDefinition } from './check-catalog.js';
export {
  listCheckFailures,
  listCheckResults,
  type CheckFailureQuery,
  type CheckResultQuery,
  type CheckRunRecord,
} from './check-results.js';
export { priceLimits, type PriceLimit } from './price-limits.js';
export { findCheckFailures, runMarketChecks, type MarketCheckOptions } from './run-checks.js';
export type {
  CheckConfig,
  CheckFailure,
  CheckName,
  CheckResult,
  Grain,
  MarketCheckSummary,
  Severity,
} from './types.js';
