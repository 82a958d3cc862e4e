import { MarketlakeError, type ErrorOptions } from '../core/index.js';

/** A provider answered with an error status (4xx other than rate limits, or 5xx after the retries). */
export class ConnectorHttpError extends MarketlakeError {
  readonly code = 'CONNECTOR_HTTP_ERROR';
  override readonly retryable: boolean;

  constructor(message: string, options: ErrorOptions & { retryable?: boolean } = {}) {
    super(message, options);
    this.retryable = options.retryable ?? false;
  }
}

/** The provider could not be reached (DNS, refused or reset connection, cut-off body). */
export class ConnectorNetworkError extends MarketlakeError {
  readonly code = 'CONNECTOR_NETWORK_ERROR';
  override readonly retryable = true;
}

/** A request took longer than the connector's timeout. */
export class ConnectorTimeoutError extends MarketlakeError {
  readonly code = 'CONNECTOR_TIMEOUT';
  override readonly retryable = true;
}

/** The provider kept rate-limiting (429/418) past the retries, or asked for a longer wait than allowed. */
export class ConnectorRateLimitedError extends MarketlakeError {
  readonly code = 'CONNECTOR_RATE_LIMITED';
  override readonly retryable = true;
}

/** A response arrived but is not what the provider sends (HTML page, bad JSON/CSV, error envelope). */
export class ConnectorBadPayloadError extends MarketlakeError {
  readonly code = 'CONNECTOR_BAD_PAYLOAD';
  override readonly retryable: boolean;

  constructor(message: string, options: ErrorOptions & { retryable?: boolean } = {}) {
    super(message, options);
    this.retryable = options.retryable ?? false;
  }
}

/** A connector needs an API key and its secret is not configured. */
export class ConnectorSecretMissingError extends MarketlakeError {
  readonly code = 'CONNECTOR_SECRET_MISSING';
}

/** No connector of that name is built in or registered. */
export class ConnectorNotFoundError extends MarketlakeError {
  readonly code = 'CONNECTOR_NOT_FOUND';
}

/** A connector definition or run option is invalid (names the field and what is accepted). */
export class ConnectorInvalidOptionsError extends MarketlakeError {
  readonly code = 'CONNECTOR_INVALID_OPTIONS';
}

/** A file-drop vendor mapping file is missing, unreadable or invalid. */
export class ConnectorMappingInvalidError extends MarketlakeError {
  readonly code = 'CONNECTOR_MAPPING_INVALID';
}

/** A dropped file could not be ingested; it was moved to `failed/` with an `.error.txt` beside it. */
export class ConnectorFileRejectedError extends MarketlakeError {
  readonly code = 'CONNECTOR_FILE_REJECTED';
}

/** Some tasks of a connector run failed; the others' rows were written. `cause` is the first failure. */
export class ConnectorRunFailedError extends MarketlakeError {
  readonly code = 'CONNECTOR_RUN_FAILED';
  override readonly retryable: boolean;

  constructor(message: string, options: ErrorOptions & { retryable?: boolean } = {}) {
    super(message, options);
    this.retryable = options.retryable ?? false;
  }
}
