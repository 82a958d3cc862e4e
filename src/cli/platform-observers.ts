/**
 * The optional observers of a platform process (`up`, `worker`): traces over OTLP/HTTP when
 * `MARKETLAKE_OTLP_ENDPOINT` is set, OpenLineage events when `MARKETLAKE_LINEAGE_URL` or
 * `MARKETLAKE_LINEAGE_FILE` is. Both off by default, and then they add no runtime hook at all.
 */
import type { Lineage, Tracing } from '../observe/index.js';
import type { PipelinesRuntime, RuntimeHooks } from '../pipelines/index.js';
import type { CliContext } from './context.js';
import { lineageHooks, openLineage } from './lineage-hooks.js';
import { attemptTraceSampleEvery, openTracing, tracingHooks } from './tracing-hooks.js';

/** Tracing and lineage of one process. */
export interface PlatformObservers {
  readonly tracing: Tracing;
  readonly lineage: Lineage;
  /** Runtime hooks feeding them; undefined when both are off. */
  readonly hooks: RuntimeHooks | undefined;
  /** Banner lines saying where traces and lineage go (none when off). */
  readonly lines: string[];
  /** Exports and delivers what is pending (at most `timeoutMs`, default 5 s), then stops. */
  close(timeoutMs?: number): Promise<void>;
}

/** Opens tracing and lineage from the environment; `runtime` returns the runtime once started. */
export async function openObservers(
  ctx: CliContext,
  serviceName: string,
  runtime: () => PipelinesRuntime | undefined,
): Promise<PlatformObservers> {
  const tracing = await openTracing(serviceName, ctx.logger);
  const lineage = await openLineage(ctx.logger);
  const traced = tracingHooks(tracing, ctx.store, {
    workerId: () => runtime()?.workerId ?? undefined,
    logger: ctx.logger,
    attemptSampleEvery: attemptTraceSampleEvery(process.env),
  });
  const parts = [
    traced,
    lineageHooks(lineage, {
      lake: ctx.lake,
      meta: ctx.store,
      assets: () => runtime()?.project.current().assets,
      logger: ctx.logger,
    }),
  ].filter((h): h is RuntimeHooks => h !== undefined);
  let hooks: RuntimeHooks | undefined;
  if (parts.length === 1) hooks = parts[0];
  else if (parts.length > 1) {
    const { combineHooks } = await import('../pipelines/index.js');
    hooks = combineHooks(...parts);
  }
  return {
    tracing,
    lineage,
    hooks,
    lines: [
      ...(tracing.enabled ? [`  traces:   ${tracing.url ?? ''}`] : []),
      ...(lineage.enabled ? [`  lineage:  ${lineage.targets.join(', ')}`] : []),
    ],
    async close(timeoutMs = 5_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
        timer.unref();
      });
      const traces = async (): Promise<void> => {
        await traced?.flush();
        await tracing.shutdown();
      };
      const done = Promise.all([traces().catch(() => undefined), lineage.flush()]).then(
        () => 'done' as const,
      );
      const how = await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
      if (how === 'timeout')
        ctx.logger.warn(
          { timeoutMs, lineage: lineage.stats },
          'traces or lineage events were still being delivered at shutdown; the rest is dropped',
        );
    },
  };
}
