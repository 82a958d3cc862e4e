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
