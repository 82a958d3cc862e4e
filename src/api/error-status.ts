import { MarketlakeError } from '../core/index.js';

/** HTTP status for each stable error code; anything else marketlake raises is a 400 or 500. */
const statusByCode: Record<string, number> = {
  USAGE: 400,
  CONFIG_INVALID: 400,
  CONFIG_LOAD_FAILED: 500,
  META_SCHEMA_TOO_NEW: 500,
  META_URL_INVALID: 500,
  META_UNAVAILABLE: 503,
  META_LEASE_TIMEOUT: 409,
  LAKE_DATASET_NOT_FOUND: 404,
  LAKE_DATASET_EXISTS: 409,
  LAKE_SCHEMA_INVALID: 400,
  LAKE_VERSION_NOT_FOUND: 404,
  LAKE_BAD_DATA: 422,
  LAKE_DUPLICATE_KEYS: 422,
  LAKE_COMMIT_CONFLICT: 409,
  LAKE_QUERY_FORBIDDEN: 403,
  LAKE_QUERY_FAILED: 400,
  LAKE_IMPORT_FILE: 400,
  LAKE_IMPORT_REJECTED: 422,
  LAKE_PARTITION_NOT_FOUND: 404,
  MARKET_UNKNOWN_CALENDAR: 400,
  MARKET_INVALID_DATE: 400,
  MARKET_DATE_OUT_OF_RANGE: 400,
  MARKET_INVALID_DATE_RANGE: 400,
  MARKET_NOT_A_SESSION: 400,
  PIPELINES_DEFINITION_INVALID: 400,
  PIPELINES_CYCLE: 422,
  PIPELINES_UNKNOWN_DEPENDENCY: 422,
  PIPELINES_DUPLICATE_ASSET: 409,
  PIPELINES_DUPLICATE_DEFINITION: 409,
  PIPELINES_INVALID_CRON: 400,
  PIPELINES_LOAD_FAILED: 422,
  PIPELINES_UNKNOWN_ASSET: 404,
  PIPELINES_UPSTREAM_INVALID: 422,
  PIPELINES_INVALID_PARTITION_KEY: 400,
  PIPELINES_NON_RETRYABLE: 422,
  CLI_PORT_IN_USE: 500,
  CLI_LISTEN_FAILED: 500,
};

/** The HTTP status an error maps to. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof MarketlakeError) return statusByCode[err.code] ?? 400;
  const status = (err as { statusCode?: number }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/** Every code with an HTTP mapping (a test checks it against docs/errors.md). */
export const mappedErrorCodes: readonly string[] = Object.keys(statusByCode);
