/**
 * Finds the definitions among a module's exports: exported directly, or inside arrays and plain
 * objects (assets generated in a loop). Anything else a file exports (helpers, constants) is
 * ignored.
 */
import { definitionKindOf } from '../sdk/brand.js';
import type { AssetDefinition } from '../sdk/asset.js';
import type { ScheduleDefinition } from '../sdk/schedule.js';
import type { SensorDefinition } from '../sdk/sensor.js';

/** A definition and the module it was found in. */
export type FoundDefinition =
  | { readonly kind: 'asset'; readonly definition: AssetDefinition }
  | { readonly kind: 'schedule'; readonly definition: ScheduleDefinition }
  | { readonly kind: 'sensor'; readonly definition: SensorDefinition };

/** Nesting followed into arrays and objects; deeper structures are data, not definitions. */
const MAX_DEPTH = 4;

function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Definitions in `moduleExports`, in export order, each once (a definition exported both alone
 * and in a list is one definition). `seen` is shared across a project's files for the same reason.
 */
export function collectDefinitions(
  moduleExports: unknown,
  seen: Set<unknown> = new Set(),
): FoundDefinition[] {
  const found: FoundDefinition[] = [];
  const visit = (value: unknown, depth: number): void => {
    const kind = definitionKindOf(value);
    if (kind !== undefined) {
      if (kind === 'partitions' || seen.has(value)) return;
      seen.add(value);
      found.push({ kind, definition: value } as FoundDefinition);
      return;
    }
    if (depth >= MAX_DEPTH || !isPlainContainer(value) || seen.has(value)) return;
    seen.add(value);
    const items = Array.isArray(value) ? value : Object.values(value);
    for (const item of items) visit(item, depth + 1);
  };
  if (typeof moduleExports === 'object' && moduleExports !== null) {
    // A module namespace has a null prototype; walk its own exports, `default` included.
    for (const key of Object.keys(moduleExports))
      visit((moduleExports as Record<string, unknown>)[key], 0);
  }
  return found;
}
