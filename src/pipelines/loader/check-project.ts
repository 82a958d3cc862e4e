/**
 * Checks across definitions, after every file has loaded: duplicate names, unknown
 * dependencies, dependency cycles, and schedules or sensors selecting assets that do not exist.
 * A definition with a problem is excluded, with a diagnostic; so is everything that depends on
 * it; the rest are served.
 */
import type { AssetDefinition } from '../sdk/asset.js';
import type { ScheduleDefinition } from '../sdk/schedule.js';
import type { SensorDefinition } from '../sdk/sensor.js';
import { didYouMean } from './closest-name.js';
import type { Diagnostic, DiagnosticLocation } from './diagnostics.js';
import { findCycles } from './graph.js';
import { selectsAsset } from '../sdk/glob.js';

/** A definition with the place it was written. */
export interface Located<T> {
  /** The definition. */
  readonly definition: T;
  /** Where it was written. */
  readonly at: DiagnosticLocation;
}

/** Definitions that passed every check, plus the problems found. */
export interface CheckedProject {
  /** Assets served, in load order. */
  readonly assets: Located<AssetDefinition>[];
  /** Schedules served. */
  readonly schedules: Located<ScheduleDefinition>[];
  /** Sensors served. */
  readonly sensors: Located<SensorDefinition>[];
  /** Problems, one per excluded definition (a cycle is reported once). */
  readonly diagnostics: Diagnostic[];
}

function where(at: DiagnosticLocation): string {
  return `${at.file}:${at.line}`;
}

function diagnostic(
  code: string,
  at: DiagnosticLocation,
  definition: string,
  message: string,
  fix: string,
  related?: DiagnosticLocation[],
): Diagnostic {
  return {
    code,
    severity: 'error',
    file: at.file,
    line: at.line,
    message,
    fix,
    definition,
    ...(related === undefined ? {} : { related }),
  };
}

/** Keeps the first definition of each name; later ones get a duplicate diagnostic. */
function dropDuplicates<T extends { name: string }>(
  items: Located<T>[],
  code: string,
  noun: string,
  diagnostics: Diagnostic[],
): Located<T>[] {
  const first = new Map<string, Located<T>>();
  const kept: Located<T>[] = [];
  for (const item of items) {
    const name = item.definition.name;
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, item);
      kept.push(item);
      continue;
    }
    diagnostics.push(
      diagnostic(
        code,
        item.at,
        name,
        `${noun} "${name}" is defined twice: at ${where(earlier.at)} and at ${where(item.at)}.`,
        `Rename or remove one of them; until then the definition at ${where(earlier.at)} is used.`,
        [earlier.at],
      ),
    );
  }
  return kept;
}

/** Excludes assets with unknown deps or in cycles, then everything downstream of an exclusion. */
function checkAssets(
  assets: Located<AssetDefinition>[],
  diagnostics: Diagnostic[],
): Located<AssetDefinition>[] {
  const names = new Set(assets.map((a) => a.definition.name));
  const excluded = new Map<string, string>(); // name -> code of its problem
  for (const { definition: a, at } of assets) {
    const unknown = a.deps.filter((dep) => !names.has(dep));
    if (unknown.length === 0) continue;
    excluded.set(a.name, 'PIPELINES_UNKNOWN_DEPENDENCY');
    for (const dep of unknown) {
      diagnostics.push(
        diagnostic(
          'PIPELINES_UNKNOWN_DEPENDENCY',
          at,
          a.name,
          `Asset "${a.name}" depends on "${dep}", which no pipeline file defines.${didYouMean(dep, names)}`,
          `Correct the name in deps of "${a.name}", or define an asset "${dep}".`,
        ),
      );
    }
  }
  const located = new Map(assets.map((a) => [a.definition.name, a]));
  for (const cycle of findCycles(assets.map((a) => a.definition))) {
    const members = [...new Set(cycle)];
    for (const name of members) excluded.set(name, 'PIPELINES_CYCLE');
    const head = located.get(cycle[0] as string) as Located<AssetDefinition>;
    diagnostics.push(
      diagnostic(
        'PIPELINES_CYCLE',
        head.at,
        head.definition.name,
        `Assets form a dependency cycle: ${cycle.join(' -> ')} (-> means "depends on").`,
        `Remove one of these dependencies (an asset cannot need its own output); ${members.map((m) => `"${m}" at ${where((located.get(m) as Located<AssetDefinition>).at)}`).join(', ')}.`,
        members.slice(1).map((m) => (located.get(m) as Located<AssetDefinition>).at),
      ),
    );
  }
  // Downstream of an excluded asset: repeat until nothing changes (load order is arbitrary).
  for (let changed = true; changed;) {
    changed = false;
    for (const { definition: a, at } of assets) {
      if (excluded.has(a.name)) continue;
      const bad = a.deps.find((dep) => excluded.has(dep));
      if (bad === undefined) continue;
      excluded.set(a.name, 'PIPELINES_UPSTREAM_INVALID');
      changed = true;
      diagnostics.push(
        diagnostic(
          'PIPELINES_UPSTREAM_INVALID',
          at,
          a.name,
          `Asset "${a.name}" is not loaded because its upstream asset "${bad}" has an error (${excluded.get(bad) as string}).`,
          `Fix the error reported for "${bad}"; "${a.name}" loads with it.`,
        ),
      );
    }
  }
  return assets.filter((a) => !excluded.has(a.definition.name));
}

/** Excludes schedules and sensors whose selection names an unknown or excluded asset. */
function checkSelections<T extends ScheduleDefinition | SensorDefinition>(
  items: Located<T>[],
  noun: string,
  defined: Set<string>,
  served: Set<string>,
  diagnostics: Diagnostic[],
): Located<T>[] {
  return items.filter(({ definition, at }) => {
    for (const pattern of definition.select) {
      const any = [...defined].some((name) => selectsAsset(pattern, name));
      const ok = pattern.includes('*')
        ? [...served].some((name) => selectsAsset(pattern, name))
        : served.has(pattern);
      if (ok) continue;
      diagnostics.push(
        any
          ? diagnostic(
              'PIPELINES_UPSTREAM_INVALID',
              at,
              definition.name,
              `${noun} "${definition.name}" is not loaded because it selects "${pattern}", which has an error.`,
              `Fix the error reported for "${pattern}".`,
            )
          : diagnostic(
              'PIPELINES_UNKNOWN_ASSET',
              at,
              definition.name,
              `${noun} "${definition.name}" selects "${pattern}", but no asset matches.${didYouMean(pattern, defined)}`,
              `Correct select of ${noun.toLowerCase()} "${definition.name}", or define the asset.`,
            ),
      );
      return false;
    }
    return true;
  });
}

/** Runs every cross-definition check. */
export function checkProject(
  assets: Located<AssetDefinition>[],
  schedules: Located<ScheduleDefinition>[],
  sensors: Located<SensorDefinition>[],
): CheckedProject {
  const diagnostics: Diagnostic[] = [];
  const unique = dropDuplicates(assets, 'PIPELINES_DUPLICATE_ASSET', 'Asset', diagnostics);
  const servedAssets = checkAssets(unique, diagnostics);
  const defined = new Set(unique.map((a) => a.definition.name));
  const served = new Set(servedAssets.map((a) => a.definition.name));
  const uniqueSchedules = dropDuplicates(
    schedules,
    'PIPELINES_DUPLICATE_DEFINITION',
    'Schedule',
    diagnostics,
  );
  const uniqueSensors = dropDuplicates(
    sensors,
    'PIPELINES_DUPLICATE_DEFINITION',
    'Sensor',
    diagnostics,
  );
  return {
    assets: servedAssets,
    schedules: checkSelections(uniqueSchedules, 'Schedule', defined, served, diagnostics),
    sensors: checkSelections(uniqueSensors, 'Sensor', defined, served, diagnostics),
    diagnostics,
  };
}
