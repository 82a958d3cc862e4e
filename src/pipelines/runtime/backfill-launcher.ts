/**
 * Backfills: an asset (and optionally what depends on it) over a range of partitions, submitted as
 * low-priority runs of up to `chunk` partitions each, so live runs always go first and progress
 * is visible run by run. The launcher records how many tasks it submitted after each run; after
 * a restart it skips the runs already submitted and goes on (chunking is deterministic).
 */
import type { Logger } from '../../core/index.js';
import { PipelinesRunPlanInvalidError } from '../errors.js';
import type { BackfillView, CreatedRun, RunPlan, RunStore, TaskPlan } from '../runs/index.js';
import type { AssetDefinition } from '../sdk/asset.js';
import { partitionKeysFor, planTasks, selectedAssets } from './selection.js';

/** What to backfill. */
export interface BackfillRequest {
  /** Asset names or patterns. */
  assets: readonly string[];
  /** First and last partition key, inclusive. */
  from: string;
  to: string;
  /** Add the assets downstream of the selected ones. */
  downstream?: boolean;
  /** Labels. */
  tags?: Readonly<Record<string, string>>;
}

/** What a backfill would run, per asset. */
export interface BackfillPreview {
  readonly assets: readonly {
    readonly asset: string;
    readonly partitions: number;
    readonly first: string | null;
    readonly last: string | null;
  }[];
  /** Tasks in total. */
  readonly tasks: number;
  /** Runs it is split into. */
  readonly runs: number;
}

/** Partitions per backfill run. */
export const BACKFILL_CHUNK = 250;

/** The runs of a backfill, in submission order. */
export function backfillPlans(
  assets: readonly AssetDefinition[],
  request: BackfillRequest,
  chunk = BACKFILL_CHUNK,
): { plans: { tasks: TaskPlan[] }[]; preview: BackfillPreview } {
  const selected = selectedAssets(assets, request);
  const keys = new Map<string, string[]>();
  const order: string[] = [];
  const seen = new Set<string>();
  for (const asset of selected) {
    if (asset.partitions === undefined) continue;
    const own = partitionKeysFor(asset, { assets: [], from: request.from, to: request.to });
    keys.set(asset.name, own);
    for (const k of own) {
      if (seen.has(k)) continue;
      seen.add(k);
      order.push(k);
    }
  }
  if (order.length === 0 && selected.every((a) => a.partitions !== undefined)) {
    throw new PipelinesRunPlanInvalidError(
      `No partitions of ${selected.map((a) => a.name).join(', ')} lie between ${request.from} and ${request.to}. Check the range against \`marketlake partitions <asset>\`.`,
    );
  }
  const plans: { tasks: TaskPlan[] }[] = [];
  const chunks = Math.max(1, Math.ceil(order.length / chunk));
  for (let c = 0; c < chunks; c += 1) {
    const part = new Set(order.slice(c * chunk, (c + 1) * chunk));
    const last = c === chunks - 1;
    const plan = planTasks(selected, (asset) => {
      const own = keys.get(asset.name);
      if (own === undefined) return last ? [null] : [];
      return own.filter((k) => part.has(k));
    });
    if (plan.tasks.length > 0) plans.push(plan);
  }
  const preview: BackfillPreview = {
    assets: selected.map((a) => {
      const own = keys.get(a.name);
      return {
        asset: a.name,
        partitions: own?.length ?? 1,
        first: own?.[0] ?? null,
        last: own?.[own.length - 1] ?? null,
      };
    }),
    tasks: plans.reduce((n, p) => n + p.tasks.length, 0),
    runs: plans.length,
  };
  return { plans, preview };
}

/** Submits the runs of backfill `backfill` not yet submitted. */
export async function launchBackfill(
  store: RunStore,
  assets: readonly AssetDefinition[],
  backfill: BackfillView,
  submit: (plan: RunPlan) => Promise<CreatedRun>,
  logger: Logger,
): Promise<void> {
  const { plans } = backfillPlans(assets, {
    assets: backfill.assets,
    from: backfill.from,
    to: backfill.to,
    downstream: backfill.downstream,
  });
  let submitted = 0;
  for (const plan of plans) {
    submitted += plan.tasks.length;
    if (submitted <= backfill.submitted) continue;
    const current = await store.getBackfill(backfill.id);
    if (current.state === 'canceled') return;
    await submit({
      ...plan,
      kind: 'backfill',
      job: `backfill:${backfill.id}`,
      backfillId: backfill.id,
      tags: { ...backfill.tags, backfill: backfill.id },
      selection: { backfill: backfill.id, assets: backfill.assets },
    });
    await store.recordBackfillSubmitted(backfill.id, submitted);
  }
  logger.info({ backfillId: backfill.id, tasks: submitted }, 'backfill submitted');
}
