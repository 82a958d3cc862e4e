import { MarketlakeError } from '../core/index.js';

/** The database holds a schema version newer than this marketlake understands. */
export class MetaSchemaTooNewError extends MarketlakeError {
  readonly code = 'META_SCHEMA_TOO_NEW';
}

/** The metadata database URL is not understood. */
export class MetaUrlInvalidError extends MarketlakeError {
  readonly code = 'META_URL_INVALID';
}

/** The metadata database cannot be reached or opened. */
export class MetaUnavailableError extends MarketlakeError {
  readonly code = 'META_UNAVAILABLE';
  override readonly retryable = true;
}

/** A named lease (lock) could not be acquired in time because another process holds it. */
export class MetaLeaseTimeoutError extends MarketlakeError {
  readonly code = 'META_LEASE_TIMEOUT';
  override readonly retryable = true;
}
