/**
 * Feeds OpenLineage from the pipelines runtime: START when an attempt starts, COMPLETE, FAIL or
 * ABORT when it ends. The job is the asset, the inputs the datasets of its upstream assets, the
 * output its own dataset with the schema from the lake's registry, the rows and bytes its lake
 * commits added (read back from the catalogue), and its checks as data-quality assertions.
 */
import type { Logger } from '../core/index.js';
import type { Lake } from '../lake/index.js';
import type { MetaStore } from '../meta/index.js';
import type {
  Lineage,
  LineageAssertion,
  LineageAttempt,
  LineageDatasetInput,
  RunEventType,
} from '../observe/index.js';
import type {
  AssetCheckOutcome,
  AssetDefinition,
  AttemptReport,
  ClaimedAttempt,
  RuntimeHooks,
} from '../pipelines/index.js';

/** Environment variables of lineage. */
export const LINEAGE_ENV = {
  url: 'MARKETLAKE_LINEAGE_URL',
  file: 'MARKETLAKE_LINEAGE_FILE',
  namespace: 'MARKETLAKE_LINEAGE_NAMESPACE',
  apiKey: 'MARKETLAKE_LINEAGE_API_KEY',
} as const;

/** The process's lineage from the environment (the no-op when neither URL nor file is set). */
export async function openLineage(
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Lineage> {
  const { createLineage } = await import('../observe/index.js');
  const namespace = env[LINEAGE_ENV.namespace]?.trim();
  return createLineage({
    url: env[LINEAGE_ENV.url],
    file: env[LINEAGE_ENV.file],
    apiKey: env[LINEAGE_ENV.apiKey],
    naming: namespace ? { namespace } : {},
    logger,
  });
}

/** What the lineage hooks read. */
export interface LineageHookSources {
  readonly lake: Lake;
  readonly meta: MetaStore;
  /** The project's assets by name, once the runtime has loaded them. */
  readonly assets: () => ReadonlyMap<string, AssetDefinition> | undefined;
  readonly logger?: Logger;
}

/** OpenLineage event type of an ended attempt. */
export function finalEventType(report: AttemptReport): RunEventType {
  const state = report.outcome?.state;
  if (state === 'succeeded' || state === 'skipped') return 'COMPLETE';
  if (state === 'canceled' || report.result?.exitReason === 'KILLED') return 'ABORT';
  return 'FAIL';
}

/** Runtime hooks that emit lineage; undefined when lineage is off. */
export function lineageHooks(
  lineage: Lineage,
  sources: LineageHookSources,
): RuntimeHooks | undefined {
  if (!lineage.enabled) return undefined;
  const { lake, meta, logger } = sources;
  const runJobs = new Map<string, string>();
  // Check outcomes by attempt, until the attempt's final event carries them.
  const checkBatches = new Map<string, AssetCheckOutcome[]>();
  let chain: Promise<void> = Promise.resolve();

  const fieldsOf = async (dataset: string): Promise<LineageDatasetInput> => {
    const d = await lake.dataset(dataset).catch(() => undefined);
    if (d === undefined) return { name: dataset };
    return {
      name: dataset,
      fields: d.columns.map((c) => ({
        name: c.name,
        type: c.type,
        ...(c.description ? { description: c.description } : {}),
      })),
    };
  };

  const runJob = async (runId: string): Promise<string> => {
    const known = runJobs.get(runId);
    if (known !== undefined) return known;
    const row = await meta.db
      .selectFrom('runs')
      .select(['job', 'kind'])
      .where('id', '=', runId)
      .executeTakeFirst();
    const job = row?.job ?? `marketlake.${row?.kind ?? 'run'}`;
    if (runJobs.size >= 1000) runJobs.clear();
    runJobs.set(runId, job);
    return job;
  };

  const base = async (claim: ClaimedAttempt): Promise<LineageAttempt> => {
    const asset = sources.assets()?.get(claim.asset);
    const deps = asset?.deps ?? [];
    const assets = sources.assets();
    const inputs = await Promise.all(deps.map((dep) => fieldsOf(assets?.get(dep)?.dataset ?? dep)));
    return {
      attemptId: claim.attemptId,
      runId: claim.runId,
      runJob: await runJob(claim.runId),
      asset: claim.asset,
      ...(asset?.description !== undefined ? { description: asset.description } : {}),
      inputs,
      output: await fieldsOf(asset?.dataset ?? claim.asset),
    };
  };

  /** Rows and bytes the attempt's commits added to `dataset`. */
  const written = async (
    dataset: string,
    report: AttemptReport,
  ): Promise<{ rows: number; bytes: number } | undefined> => {
    const { claim, result } = report;
    if (result?.startedAt === undefined) return undefined;
    const versions = await meta.db
      .selectFrom('dataset_versions')
      .select(['version', 'rows_added'])
      .where('dataset', '=', dataset)
      .where('writer', 'in', [claim.attemptId, claim.runId])
      .where('created_at', '>=', result.startedAt.toISOString())
      .where('created_at', '<=', result.finishedAt.toISOString())
      .execute();
    if (versions.length === 0) return undefined;
    const files = await meta.db
      .selectFrom('lake_files')
      .select((eb) => eb.fn.sum<number>('byte_count').as('bytes'))
      .where('dataset', '=', dataset)
      .where(
        'added_version',
        'in',
        versions.map((v) => Number(v.version)),
      )
      .executeTakeFirst();
    return {
      rows: versions.reduce((s, v) => s + Number(v.rows_added), 0),
      bytes: Number(files?.bytes ?? 0),
    };
  };

  const enqueue = (what: string, work: () => Promise<void>): void => {
    // One chain keeps each attempt's START before its final event.
    chain = chain
      .then(work)
      .catch((err: unknown) => logger?.warn({ err }, `lineage: could not build the ${what} event`));
  };

  return {
    attemptStarted(claim): void {
      const at = new Date();
      enqueue('START', async () => lineage.emit('START', at, await base(claim)));
    },
    checkFinished(_asset, outcome, attemptId): void {
      checkBatches.set(attemptId, [...(checkBatches.get(attemptId) ?? []), outcome]);
    },
    attemptFinished(report): void {
      const { claim, result } = report;
      const type = finalEventType(report);
      const list = checkBatches.get(claim.attemptId);
      checkBatches.delete(claim.attemptId);
      // Checks run only after the task itself succeeded.
      const checks = result?.exitReason === 'OK' && type !== 'ABORT' ? list : undefined;
      enqueue(type, async () => {
        const attempt = await base(claim);
        const output = attempt.output ?? { name: claim.asset };
        const added = type === 'COMPLETE' ? await written(output.name, report) : undefined;
        const assertions: LineageAssertion[] | undefined = checks?.map((c) => ({
          assertion: c.check,
          success: c.passed,
          severity: c.severity,
        }));
        const error =
          type === 'COMPLETE'
            ? undefined
            : {
                message: result?.error?.message ?? `attempt ${report.outcome?.state ?? 'lost'}`,
                ...(result?.error?.stack ? { stackTrace: result.error.stack } : {}),
              };
        lineage.emit(type, result?.finishedAt ?? new Date(), {
          ...attempt,
          output: {
            ...output,
            ...(type === 'COMPLETE'
              ? {
                  rowCount: added?.rows ?? result?.usage.rowsWritten ?? 0,
                  ...(added ? { bytes: added.bytes } : {}),
                }
              : {}),
            ...(assertions && assertions.length > 0 ? { assertions } : {}),
          },
          ...(error ? { error } : {}),
        });
      });
    },
  };
}
