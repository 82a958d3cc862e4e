/**
 * The synthetic demo market for a running platform (`demoFeed: true`, as in examples/demo): its
 * history is written into the project's inbox once, then one more trading day of vendor files
 * arrives every `intervalMs`, so the inbox pipelines keep ingesting while a newcomer watches.
 */
import path from 'node:path';
import type { Logger, MarketlakeConfig } from '../core/index.js';

/** A running demo feed. */
export interface DemoFeedHandle {
  /** Stops dropping files (a file being written is finished first). */
  stop(): Promise<void>;
  /** What `up` prints about it. */
  readonly description: string;
}

/** Starts the drip into `<project>/inbox` when the configuration asks for it. */
export async function startDemoFeed(
  config: MarketlakeConfig,
  logger: Logger,
  intervalMs = 10_000,
): Promise<DemoFeedHandle | undefined> {
  if (!config.demoFeed) return undefined;
  const { createDemoDrip } = await import('../market/index.js');
  const inbox = path.join(config.project, 'inbox');
  const drip = createDemoDrip({
    inbox,
    intervalMs,
    onStep: (step) =>
      logger.info(
        { date: step.date, files: step.files.length, remaining: step.remaining },
        'synthetic demo data dropped',
      ),
    onError: (err) => logger.warn({ err }, 'the demo feed failed to drop a file'),
  });
  await drip.start();
  return {
    stop: () => drip.stop(),
    description: `SYNTHETIC demo market -> ${inbox} (a trading day every ${intervalMs / 1000} s)`,
  };
}
