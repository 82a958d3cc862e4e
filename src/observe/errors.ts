import { MarketlakeError } from '../core/index.js';

/**
 * Errors of the observe domain. Recording a metric never fails for operational reasons (a
 * collector that throws is logged and counted, not raised); these errors mark programming
 * mistakes at the call site and a metrics endpoint that cannot listen.
 */

/** A metrics call got a label value or a number it cannot record (empty label, NaN, negative count). */
export class ObserveInvalidMetricValueError extends MarketlakeError {
  readonly code = 'OBSERVE_INVALID_METRIC_VALUE';
}

/** The standalone metrics endpoint (`--metrics-port`) could not listen on its host and port. */
export class ObserveMetricsListenError extends MarketlakeError {
  readonly code = 'OBSERVE_METRICS_LISTEN_FAILED';
}

/** An alert command or request got a bad argument (silence matcher, duration, id). */
export class ObserveAlertArgumentError extends MarketlakeError {
  readonly code = 'OBSERVE_ALERT_ARGUMENT_INVALID';
}

/** An alerting setting (`MARKETLAKE_ALERT_*` variable or secret) holds a bad value. */
export class ObserveAlertConfigError extends MarketlakeError {
  readonly code = 'OBSERVE_ALERT_CONFIG_INVALID';
}

/** A notifier could not deliver a notification (after its retries, or at once for a 4xx). */
export class ObserveNotifierDeliveryError extends MarketlakeError {
  readonly code = 'OBSERVE_NOTIFY_FAILED';
  override readonly retryable: boolean;

  constructor(
    message: string,
    options: { retryable: boolean; cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.retryable = options.retryable;
  }
}

/** No silence has the id given to `alerts unsilence` or `DELETE /api/alerts/silences/:id`. */
export class ObserveSilenceNotFoundError extends MarketlakeError {
  readonly code = 'OBSERVE_SILENCE_NOT_FOUND';
}

/** `MARKETLAKE_OTLP_ENDPOINT` is not an http(s) URL. */
export class ObserveOtlpEndpointInvalidError extends MarketlakeError {
  readonly code = 'OBSERVE_OTLP_ENDPOINT_INVALID';
}

/** `MARKETLAKE_LINEAGE_URL` or `MARKETLAKE_LINEAGE_FILE` cannot be used. */
export class ObserveLineageConfigInvalidError extends MarketlakeError {
  readonly code = 'OBSERVE_LINEAGE_CONFIG_INVALID';
}

/** An OpenLineage event breaks the spec (a bug in how marketlake built it). */
export class ObserveLineageEventInvalidError extends MarketlakeError {
  readonly code = 'OBSERVE_LINEAGE_EVENT_INVALID';
}

/** The lineage endpoint refused an event or did not answer, after retries. */
export class ObserveLineageDeliveryError extends MarketlakeError {
  readonly code = 'OBSERVE_LINEAGE_DELIVERY_FAILED';
  override readonly retryable: boolean;

  constructor(
    message: string,
    options: { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options);
    this.retryable = options.retryable ?? false;
  }
}
