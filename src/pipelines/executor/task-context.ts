/**
 * Worker side: builds the `ctx` an asset's `run(ctx)` receives, wired to the attempt's channel
 * (log lines, metadata, rows), its secrets, a retrying fetch and the lake from the factory.
 */
import type { Lake } from '../../lake/index.js';
import { PipelinesLakeUnavailableError, PipelinesSecretMissingError } from '../errors.js';
import type { AssetContext, TaskLogger } from '../sdk/asset-context.js';
import type { AttemptChannel } from './attempt-channel.js';
import { fetchWithRetry } from './fetch-with-retry.js';
import type { LogLevel, WorkerAttempt } from './worker-protocol.js';

function taskLogger(channel: AttemptChannel): TaskLogger {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void =>
      channel.log(level, 'log', String(message), fields);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * The lake as `ctx.lake` hands it out: writes and imports count their rows into the attempt's
 * `rowsWritten`, so a task need not call `reportRows` for what it writes through the lake.
 */
function countingLake(lake: Lake, channel: AttemptChannel): Lake {
  return new Proxy(lake, {
    get(target, prop) {
      // The lake itself as `this` (not the proxy): its methods and getters use private fields.
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop !== 'write' && prop !== 'import')
        return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        const result = (await (value as (...a: unknown[]) => Promise<unknown>).apply(
          target,
          args,
        )) as { rowsWritten?: number; rowsImported?: number };
        channel.addRows(result.rowsWritten ?? result.rowsImported ?? 0);
        return result;
      };
    },
  });
}

/** The context of `attempt`; `lake` is undefined when the executor has no lake factory. */
export function createTaskContext(
  attempt: WorkerAttempt,
  channel: AttemptChannel,
  signal: AbortSignal,
  lake: unknown,
): AssetContext {
  const log = taskLogger(channel);
  const secrets = attempt.secrets;
  const counted =
    lake === undefined || lake === null ? undefined : countingLake(lake as Lake, channel);
  return {
    asset: attempt.asset,
    partition: attempt.partition,
    partitionParts: attempt.partitionParts,
    file: attempt.inputFile,
    runId: attempt.runId,
    attempt: attempt.attempt,
    signal,
    log,
    get lake(): Lake {
      if (counted === undefined) {
        throw new PipelinesLakeUnavailableError(
          'ctx.lake is not available: this executor was started without a lake factory.',
        );
      }
      return counted;
    },
    secret(name: string): string {
      const value = Object.hasOwn(secrets, name) ? secrets[name] : undefined;
      if (value === undefined) {
        const known = Object.keys(secrets);
        throw new PipelinesSecretMissingError(
          `Secret "${name}" is not set for asset "${attempt.asset}". Add it to the config's ` +
            `secrets or set MARKETLAKE_SECRET_${name.toUpperCase()}` +
            (known.length > 0 ? ` (known: ${known.join(', ')}).` : '.'),
          { details: { secret: name } },
        );
      }
      return value;
    },
    fetch: (url, init) =>
      fetchWithRetry(url, init, {
        signal,
        onRetry: ({ attempt: n, delayMs, reason }) =>
          log.warn(`fetch ${String(url)} failed (${reason}); retry ${n} in ${delayMs} ms`),
      }),
    addMetadata(metadata: Record<string, unknown>): void {
      channel.metadata(metadata);
    },
    reportRows(rows: number): void {
      channel.addRows(rows);
    },
  };
}
