/**
 * The platform's lineage emitter: builds each attempt's OpenLineage events, checks them against
 * the spec, and delivers them in order to the configured transports in the background. Delivery
 * never blocks or fails an attempt: failures are logged and counted, and past `maxPending`
 * queued events new ones are dropped (a lineage server that is down must not grow memory).
 */
import type { Logger } from '../../core/index.js';
import {
  fileLineageTransport,
  httpLineageTransport,
  type HttpLineageOptions,
  type LineageTransport,
} from './lineage-transports.js';
import type { RunEvent, RunEventType } from './openlineage-spec.js';
import { buildRunEvent, type LineageAttempt, type LineageNaming } from './run-event.js';
import { validateRunEvent } from './run-event-validator.js';

/** Options of `createLineage`. */
export interface LineageOptions {
  /** OpenLineage HTTP endpoint (Marquez base URL or full URL). */
  readonly url?: string;
  /** JSON-lines file. */
  readonly file?: string;
  /** Bearer token of the HTTP endpoint. */
  readonly apiKey?: string;
  readonly naming?: LineageNaming;
  /** HTTP timeouts and retries. */
  readonly http?: Omit<HttpLineageOptions, 'url' | 'apiKey'>;
  readonly logger?: Logger;
  /** Most events waiting for delivery (default 10,000). */
  readonly maxPending?: number;
}

/** Delivery counters. */
export interface LineageStats {
  sent: number;
  failed: number;
  dropped: number;
  invalid: number;
}

/** Emits OpenLineage events of attempts. */
export interface Lineage {
  /** Whether events go anywhere. */
  readonly enabled: boolean;
  /** Where events go. */
  readonly targets: readonly string[];
  readonly stats: Readonly<LineageStats>;
  /** Builds, checks and queues the event of `attempt`. */
  emit(eventType: RunEventType, eventTime: Date, attempt: LineageAttempt): void;
  /** Queues a built event (checked first). */
  send(event: RunEvent): void;
  /** Resolves when every queued event was delivered or given up. */
  flush(): Promise<void>;
}

/** Lineage that emits nothing (no URL or file configured). */
export const NOOP_LINEAGE: Lineage = Object.freeze({
  enabled: false,
  targets: [],
  stats: Object.freeze({ sent: 0, failed: 0, dropped: 0, invalid: 0 }),
  emit: () => undefined,
  send: () => undefined,
  flush: () => Promise.resolve(),
});

/** Lineage delivering to `url` and/or `file`; the no-op when neither is set. */
export async function createLineage(options: LineageOptions): Promise<Lineage> {
  const transports: LineageTransport[] = [];
  const url = options.url?.trim();
  const file = options.file?.trim();
  if (url) transports.push(httpLineageTransport({ ...options.http, url, apiKey: options.apiKey }));
  if (file) transports.push(await fileLineageTransport(file));
  if (transports.length === 0) return NOOP_LINEAGE;
  const logger = options.logger;
  const maxPending = options.maxPending ?? 10_000;
  const stats: LineageStats = { sent: 0, failed: 0, dropped: 0, invalid: 0 };
  let pending = 0;
  let tail: Promise<void> = Promise.resolve();

  const deliver = async (event: RunEvent): Promise<void> => {
    const results = await Promise.allSettled(transports.map((t) => t.send(event)));
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') stats.sent++;
      else {
        stats.failed++;
        logger?.warn(
          { err: r.reason as unknown, target: transports[i]?.target, job: event.job.name },
          'lineage: an event could not be delivered',
        );
      }
    });
  };

  const send = (event: RunEvent): void => {
    const problems = validateRunEvent(event);
    if (problems.length > 0) {
      stats.invalid++;
      logger?.error({ problems, job: event.job.name }, 'lineage: event breaks the spec, not sent');
      return;
    }
    if (pending >= maxPending) {
      stats.dropped++;
      if (stats.dropped === 1 || stats.dropped % 1000 === 0)
        logger?.warn({ dropped: stats.dropped }, 'lineage: delivery is behind, events dropped');
      return;
    }
    pending++;
    // One chain: a run's START is delivered before its COMPLETE, whatever the retries.
    tail = tail.then(() => deliver(event)).finally(() => void pending--);
  };

  return {
    enabled: true,
    targets: transports.map((t) => t.target),
    stats,
    emit: (eventType, eventTime, attempt) =>
      send(buildRunEvent(eventType, eventTime, attempt, options.naming)),
    send,
    flush: async () => {
      let seen: Promise<void> | undefined;
      while (seen !== tail) {
        seen = tail;
        await seen;
      }
    },
  };
}
