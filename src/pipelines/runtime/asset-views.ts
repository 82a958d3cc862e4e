/**
 * The project's assets and problems as `marketlake assets` and `GET /api/assets` show them: what
 * each asset is, where it is written, what it depends on, its partitions and which schedules and
 * sensors select it.
 */
import type { Diagnostic } from '../loader/index.js';
import { formatDiagnostic } from '../loader/index.js';
import { selectsAsset } from '../sdk/glob.js';
import type { ProjectSnapshot } from './project-holder.js';

/** One asset. */
export interface AssetView {
  readonly name: string;
  readonly kind: 'run' | 'sql' | 'command';
  readonly dataset: string;
  readonly deps: readonly string[];
  readonly partitions: string | null;
  readonly partitionCount: number | null;
  readonly pool: string | null;
  readonly maxAttempts: number;
  readonly timeoutMs: number | null;
  readonly memoryMb: number | null;
  readonly checks: readonly string[];
  readonly schedules: readonly string[];
  readonly sensors: readonly string[];
  readonly description: string | null;
  /** `pipelines/x.ts:12`, where the asset is written. */
  readonly location: string | null;
}

/** The project's assets and load problems. */
export interface ProjectView {
  readonly projectDir: string;
  readonly files: readonly string[];
  readonly assets: readonly AssetView[];
  readonly schedules: readonly {
    name: string;
    cron: string;
    timezone: string;
    calendar: string | null;
  }[];
  readonly sensors: readonly { name: string; type: string; everyMs: number }[];
  readonly problems: readonly (Diagnostic & { readonly text: string })[];
}

const selects = (patterns: readonly string[], name: string): boolean =>
  patterns.some((p) => selectsAsset(p, name));

/** The view of `snapshot`. */
export function projectView(snapshot: ProjectSnapshot, now = Date.now()): ProjectView {
  const { loaded } = snapshot;
  return {
    projectDir: loaded.projectDir,
    files: loaded.files,
    assets: loaded.assets.map((a) => {
      const at = loaded.locations.get(`asset:${a.name}`);
      return {
        name: a.name,
        kind: a.task.type,
        dataset: a.dataset,
        deps: a.deps,
        partitions: a.partitions?.describe() ?? null,
        partitionCount: a.partitions?.count(now) ?? null,
        pool: a.pool ?? null,
        maxAttempts: a.retry.maxAttempts,
        timeoutMs: a.timeoutMs ?? null,
        memoryMb: a.resources.memoryMb ?? null,
        checks: a.checks.map((c) => c.name),
        schedules: loaded.schedules.filter((s) => selects(s.select, a.name)).map((s) => s.name),
        sensors: loaded.sensors.filter((s) => selects(s.select, a.name)).map((s) => s.name),
        description: a.description ?? null,
        location: at === undefined ? null : `${at.file}:${at.line}`,
      };
    }),
    schedules: loaded.schedules.map((s) => ({
      name: s.name,
      cron: s.cron,
      timezone: s.timezone,
      calendar: s.calendar ?? null,
    })),
    sensors: loaded.sensors.map((s) => ({ name: s.name, type: s.type, everyMs: s.everyMs })),
    problems: loaded.diagnostics.map((d) => ({ ...d, text: formatDiagnostic(d) })),
  };
}
