import { MarketlakeError } from '../core/index.js';

/** `marketlake up` cannot listen because another process holds the port (an environment failure, not wrong usage). */
export class CliPortInUseError extends MarketlakeError {
  readonly code = 'CLI_PORT_IN_USE';
}

/** `marketlake up` cannot listen on the configured interface and port for another reason (permission, unknown address). */
export class CliListenFailedError extends MarketlakeError {
  readonly code = 'CLI_LISTEN_FAILED';
}
