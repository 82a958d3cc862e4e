/**
 * From what a user asks to run ("daily_bars for 2024-01-02", "krx_* from 2015 to 2024 and what
 * depends on them") to a run plan: the assets in dependency order, their partitions, and each
 * task's upstream tasks in the same run.
 */
import { UsageError } from '../../core/index.js';
import { PipelinesInvalidPartitionKeyError, PipelinesUnknownAssetError } from '../errors.js';
import { closestName } from '../loader/closest-name.js';
import { downstreamOf, topologicalOrder } from '../loader/graph.js';
import type { RunKind, RunPlan, TaskPlan } from '../runs/index.js';
import type { AssetDefinition } from '../sdk/asset.js';
import { selectsAsset } from '../sdk/glob.js';

/** What to run. */
export interface SelectionRequest {
  /** Asset names or patterns (`krx_*`). */
  assets: readonly string[];
  /** One partition key for every partitioned asset selected. */
  partition?: string;
  /** An inclusive range of keys (`from` and `to` both), for every partitioned asset selected. */
  from?: string;
  to?: string;
  /** Add every asset downstream of the selected ones. */
  downstream?: boolean;
  /** Why the run exists. */
  kind?: RunKind;
  /** Job or schedule name. */
  job?: string;
  /** Labels. */
  tags?: Readonly<Record<string, string>>;
  /** Backfill the run belongs to. */
  backfillId?: string;
  /** Run priority (default by kind). */
  priority?: number;
  /** The instant partitions are resolved at (default now). */
  now?: number;
}

/** The assets `patterns` name, with a did-you-mean error for a name that matches nothing. */
export function resolveAssets(
  assets: readonly AssetDefinition[],
  patterns: readonly string[],
): AssetDefinition[] {
  const chosen = new Set<string>();
  for (const pattern of patterns) {
    const found = assets.filter((a) => selectsAsset(pattern, a.name));
    if (found.length === 0) {
      const hint = closestName(
        pattern,
        assets.map((a) => a.name),
      );
      throw new PipelinesUnknownAssetError(
        `No asset "${pattern}"${hint ? `; did you mean "${hint}"?` : '.'} \`marketlake assets\` lists the assets.`,
        { details: { asset: pattern } },
      );
    }
    for (const a of found) chosen.add(a.name);
  }
  return assets.filter((a) => chosen.has(a.name));
}

/** The keys of `asset` the request names: one key, a range, or (by default) the latest key. */
export function partitionKeysFor(asset: AssetDefinition, request: SelectionRequest): string[] {
  const space = asset.partitions;
  if (space === undefined) return [];
  const now = request.now;
  if (request.from !== undefined || request.to !== undefined) {
    if (request.from === undefined || request.to === undefined)
      throw new PipelinesInvalidPartitionKeyError(
        `Give both --from and --to for a range of ${asset.name}'s partitions (${space.describe()}).`,
        { details: { asset: asset.name } },
      );
    return space.keysBetween(request.from, request.to, now);
  }
  if (request.partition !== undefined) {
    if (!space.contains(request.partition, now))
      throw new PipelinesInvalidPartitionKeyError(
        `"${request.partition}" is not a partition of ${asset.name} (${space.describe()}). Pick a key of that space, e.g. ${space.keyAt(Math.max(0, space.count(now) - 1), now) ?? 'none yet'}.`,
        { details: { asset: asset.name, partition: request.partition } },
      );
    return [request.partition];
  }
  const count = space.count(now);
  const latest = count > 0 ? space.keyAt(count - 1, now) : undefined;
  if (latest === undefined)
    throw new PipelinesInvalidPartitionKeyError(
      `${asset.name} has no partitions yet (${space.describe()}); give --partition.`,
      { details: { asset: asset.name } },
    );
  return [latest];
}

/**
 * Tasks for `selected` in dependency order, with the keys `keysFor` gives each asset (null for an
 * unpartitioned asset; an empty list leaves the asset out). A partitioned task waits for the
 * upstream task of the same key when the upstream asset has it, otherwise for all of the upstream
 * asset's tasks in the run.
 */
export function planTasks(
  selected: readonly AssetDefinition[],
  keysFor: (asset: AssetDefinition) => readonly (string | null)[],
  now?: number,
): { tasks: TaskPlan[] } {
  const tasks: TaskPlan[] = [];
  const byAsset = new Map<string, Map<string | null, number>>();
  for (const asset of topologicalOrder(selected)) {
    const keys = keysFor(asset);
    if (keys.length === 0) continue;
    const mine = new Map<string | null, number>();
    for (const key of keys) {
      const deps: number[] = [];
      for (const up of asset.deps) {
        const upstream = byAsset.get(up);
        if (upstream === undefined) continue;
        const same = key === null ? undefined : upstream.get(key);
        if (same !== undefined) deps.push(same);
        else deps.push(...upstream.values());
      }
      mine.set(key, tasks.length);
      tasks.push({
        asset: asset.name,
        partition: key,
        partitionIndex: key === null ? null : (asset.partitions?.indexOf(key, now) ?? null),
        deps,
        pool: asset.pool ?? null,
        retry: asset.retry,
      });
    }
    byAsset.set(asset.name, mine);
  }
  return { tasks };
}

/** The assets a request selects, with their downstream assets when asked. */
export function selectedAssets(
  assets: readonly AssetDefinition[],
  request: Pick<SelectionRequest, 'assets' | 'downstream'>,
): AssetDefinition[] {
  const selected = resolveAssets(assets, request.assets);
  if (request.downstream !== true) return selected;
  const names = new Set(selected.map((a) => a.name));
  for (const a of selected) for (const d of downstreamOf(assets, a.name)) names.add(d.name);
  return assets.filter((a) => names.has(a.name));
}

/**
 * Refuses a partition key or range that no selected asset can take (all are unpartitioned), which
 * `planSelection` would silently ignore. A selection mixing partitioned and unpartitioned assets
 * is fine: the key goes to the partitioned ones.
 */
export function refuseUnusedPartition(
  assets: readonly AssetDefinition[],
  request: Pick<SelectionRequest, 'assets' | 'downstream' | 'partition' | 'from' | 'to'>,
): void {
  const range = request.from !== undefined || request.to !== undefined;
  if (request.partition === undefined && !range) return;
  const selected = selectedAssets(assets, request);
  if (selected.some((a) => a.partitions !== undefined)) return;
  const names = selected.map((a) => a.name);
  const what = range ? 'a partition range' : 'a partition key';
  const flag = range ? '--from/--to' : '--partition';
  const subject =
    names.length === 1
      ? `Asset "${names[0] ?? ''}" is not partitioned`
      : `None of the selected assets (${names.join(', ')}) is partitioned`;
  throw new UsageError(`${subject}, so ${what} does not apply: drop ${flag}.`, {
    details: { assets: names },
  });
}

/** The plan that materializes the request. */
export function planSelection(
  assets: readonly AssetDefinition[],
  request: SelectionRequest,
): RunPlan {
  const selected = selectedAssets(assets, request);
  const { tasks } = planTasks(
    selected,
    (asset) => (asset.partitions ? partitionKeysFor(asset, request) : [null]),
    request.now,
  );
  return {
    kind: request.kind ?? 'manual',
    job: request.job ?? null,
    selection: {
      assets: request.assets,
      ...(request.partition !== undefined ? { partition: request.partition } : {}),
      ...(request.from !== undefined ? { from: request.from, to: request.to } : {}),
      ...(request.downstream === true ? { downstream: true } : {}),
    },
    tags: request.tags,
    backfillId: request.backfillId ?? null,
    priority: request.priority,
    tasks,
  };
}
