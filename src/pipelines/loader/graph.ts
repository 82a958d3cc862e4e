/**
 * The asset dependency graph: a run order, the assets downstream or upstream of one, and the
 * dependency cycles that make an order impossible. Every walk is iterative, so a long chain of
 * generated assets cannot overflow the stack.
 */
import { PipelinesCycleError, PipelinesUnknownAssetError } from '../errors.js';
import type { AssetDefinition } from '../sdk/asset.js';
import { didYouMean } from './closest-name.js';

/** Index of assets by name; the first definition of a name wins. */
function byName(assets: readonly AssetDefinition[]): Map<string, AssetDefinition> {
  const map = new Map<string, AssetDefinition>();
  for (const a of assets) if (!map.has(a.name)) map.set(a.name, a);
  return map;
}

/**
 * Strongly connected components that are cycles (two or more assets, or one depending on
 * itself), each as a path `[a, b, ..., a]` where each asset depends on the next. Deps on assets
 * outside `assets` are ignored. Tarjan's algorithm, with an explicit stack.
 */
export function findCycles(assets: readonly AssetDefinition[]): string[][] {
  const index = byName(assets);
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const root of index.keys()) {
    if (order.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1] as [string, number];
      const [name, next] = frame;
      if (next === 0) {
        order.set(name, counter);
        low.set(name, counter);
        counter += 1;
        stack.push(name);
        onStack.add(name);
      }
      const deps = (index.get(name) as AssetDefinition).deps;
      if (next < deps.length) {
        frame[1] = next + 1;
        const dep = deps[next] as string;
        if (!index.has(dep)) continue;
        if (!order.has(dep)) work.push([dep, 0]);
        else if (onStack.has(dep))
          low.set(name, Math.min(low.get(name) as number, order.get(dep) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined)
        low.set(parent[0], Math.min(low.get(parent[0]) as number, low.get(name) as number));
      if (low.get(name) !== order.get(name)) continue;
      const members: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        members.push(member);
      } while (member !== name);
      const selfLoop =
        members.length === 1 && (index.get(name) as AssetDefinition).deps.includes(name);
      if (members.length > 1 || selfLoop) cycles.push(cyclePath(index, new Set(members), assets));
    }
  }
  return cycles;
}

/** A shortest path from the component's first asset (in input order) back to itself. */
function cyclePath(
  index: Map<string, AssetDefinition>,
  members: Set<string>,
  assets: readonly AssetDefinition[],
): string[] {
  const start = (assets.find((a) => members.has(a.name)) as AssetDefinition).name;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i += 1) {
    const name = queue[i] as string;
    for (const dep of (index.get(name) as AssetDefinition).deps) {
      if (!members.has(dep)) continue;
      if (dep === start) {
        const path = [start];
        for (
          let at: string | undefined = name;
          at !== undefined && at !== start;
          at = cameFrom.get(at)
        )
          path.splice(1, 0, at);
        path.push(start);
        return path;
      }
      if (!cameFrom.has(dep)) {
        cameFrom.set(dep, name);
        queue.push(dep);
      }
    }
  }
  return [start, start];
}

/**
 * Assets in an order where each comes after its dependencies; among independent assets the
 * input order is kept. Deps on assets outside `assets` are ignored. Throws PIPELINES_CYCLE.
 */
export function topologicalOrder(assets: readonly AssetDefinition[]): AssetDefinition[] {
  const index = byName(assets);
  const done = new Set<string>();
  const visiting = new Set<string>();
  const result: AssetDefinition[] = [];
  for (const root of index.values()) {
    if (done.has(root.name)) continue;
    const work: [AssetDefinition, number][] = [[root, 0]];
    visiting.add(root.name);
    while (work.length > 0) {
      const frame = work[work.length - 1] as [AssetDefinition, number];
      const [current, next] = frame;
      if (next < current.deps.length) {
        frame[1] = next + 1;
        const dep = index.get(current.deps[next] as string);
        if (dep === undefined || done.has(dep.name)) continue;
        if (visiting.has(dep.name)) {
          const path = findCycles(assets)[0] ?? [dep.name, dep.name];
          throw new PipelinesCycleError(
            `Assets form a dependency cycle: ${path.join(' -> ')} (-> means "depends on"). Remove one of these dependencies.`,
            {
              details: { cycle: path },
            },
          );
        }
        visiting.add(dep.name);
        work.push([dep, 0]);
        continue;
      }
      work.pop();
      visiting.delete(current.name);
      done.add(current.name);
      result.push(current);
    }
  }
  return result;
}

function requireAsset(index: Map<string, AssetDefinition>, name: string): void {
  if (!index.has(name)) {
    throw new PipelinesUnknownAssetError(
      `No asset is named "${name}".${didYouMean(name, index.keys())} \`marketlake assets\` lists them.`,
      {
        details: { asset: name },
      },
    );
  }
}

/** Names reachable from `name` along `edges`, excluding `name` itself. */
function reach(name: string, edges: Map<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [name];
  for (let i = 0; i < queue.length; i += 1) {
    for (const next of edges.get(queue[i] as string) ?? []) {
      if (next !== name && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

/** Every asset that depends on `name`, directly or not, in topological order. */
export function downstreamOf(assets: readonly AssetDefinition[], name: string): AssetDefinition[] {
  const index = byName(assets);
  requireAsset(index, name);
  const dependents = new Map<string, string[]>();
  for (const a of index.values()) {
    for (const dep of a.deps) {
      const list = dependents.get(dep);
      if (list === undefined) dependents.set(dep, [a.name]);
      else list.push(a.name);
    }
  }
  const found = reach(name, dependents);
  return topologicalOrder(assets).filter((a) => found.has(a.name));
}

/** Every asset `name` depends on, directly or not, in topological order. */
export function upstreamOf(assets: readonly AssetDefinition[], name: string): AssetDefinition[] {
  const index = byName(assets);
  requireAsset(index, name);
  const found = reach(name, new Map([...index.values()].map((a) => [a.name, a.deps])));
  return topologicalOrder(assets).filter((a) => found.has(a.name));
}
