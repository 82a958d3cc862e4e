/**
 * Evaluates the project's schedules: for each schedule, the ticks since the last one it evaluated
 * (kept in `schedule_state`, so a restart neither repeats nor loses a tick), decided by its
 * catch-up policy, each firing a run of the selected assets for the partitions the tick targets.
 * A calendar schedule has no ticks on non-sessions; a tick whose targets have no partition (a
 * holiday for a session-partitioned asset) creates no run.
 */
import type { Logger } from '../../core/index.js';
import type { MetaStore } from '../../meta/index.js';
import { missedTicks, tickTarget } from '../schedules/index.js';
import type { CreatedRun, RunPlan } from '../runs/index.js';
import type { ScheduleDefinition } from '../sdk/schedule.js';
import type { ProjectSnapshot } from './project-holder.js';
import { planTasks, resolveAssets } from './selection.js';

/** What a schedule evaluation did. */
export interface ScheduleFiring {
  readonly schedule: string;
  readonly tick: number;
  readonly runId: string | undefined;
}

/** Reads and writes each schedule's last evaluated tick. */
async function lastTick(meta: MetaStore, name: string): Promise<number | undefined> {
  const row = await meta.db
    .selectFrom('schedule_state')
    .select('last_tick_ms')
    .where('name', '=', name)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.last_tick_ms);
}

async function saveTick(
  meta: MetaStore,
  name: string,
  tick: number,
  runId: string | null,
  now: number,
): Promise<void> {
  await meta.db
    .insertInto('schedule_state')
    .values({ name, last_tick_ms: tick, last_run_id: runId, updated_at_ms: now })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        last_tick_ms: tick,
        updated_at_ms: now,
        ...(runId === null ? {} : { last_run_id: runId }),
      }),
    )
    .execute();
}

/** The plan a tick of `schedule` runs, or undefined when no selected asset has work then. */
export function planForTick(
  snapshot: ProjectSnapshot,
  schedule: ScheduleDefinition,
  tick: number,
): RunPlan | undefined {
  const assets = [...snapshot.assets.values()];
  const selected = resolveAssets(assets, schedule.select);
  let any = false;
  const plan = planTasks(selected, (asset) => {
    const target = tickTarget(schedule, tick, asset);
    if (target.kind === 'unpartitioned') {
      any = true;
      return [null];
    }
    if (target.kind === 'none') return [];
    const keys = asset.partitions?.keysBetween(target.range.from, target.range.to) ?? [];
    if (keys.length > 0) any = true;
    return keys;
  });
  if (!any) return undefined;
  return {
    ...plan,
    kind: 'schedule',
    job: schedule.name,
    selection: { schedule: schedule.name, tick: new Date(tick).toISOString() },
    tags: { ...schedule.tags, schedule: schedule.name },
  };
}

/** Fires due schedule ticks. */
export class ScheduleRunner {
  constructor(
    private readonly meta: MetaStore,
    private readonly submit: (plan: RunPlan) => Promise<CreatedRun>,
    private readonly logger: Logger,
    private readonly onTick?: (schedule: string, lagSeconds: number) => void,
  ) {}

  /** Evaluates every schedule of `snapshot` at `now`; returns the ticks it handled. */
  async evaluate(snapshot: ProjectSnapshot, now: number): Promise<ScheduleFiring[]> {
    const fired: ScheduleFiring[] = [];
    for (const schedule of snapshot.loaded.schedules) {
      try {
        fired.push(...(await this.#evaluateOne(snapshot, schedule, now)));
      } catch (err) {
        this.logger.error({ err, schedule: schedule.name }, 'schedule evaluation failed');
      }
    }
    return fired;
  }

  async #atLimit(schedule: ScheduleDefinition): Promise<boolean> {
    if (schedule.maxActiveRuns === undefined) return false;
    const row = await this.meta.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('job', '=', schedule.name)
      .where('kind', '=', 'schedule')
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return Number(row?.n ?? 0) >= schedule.maxActiveRuns;
  }

  async #evaluateOne(
    snapshot: ProjectSnapshot,
    schedule: ScheduleDefinition,
    now: number,
  ): Promise<ScheduleFiring[]> {
    const fired: ScheduleFiring[] = [];
    let cursor = await lastTick(this.meta, schedule.name);
    for (;;) {
      const decision = missedTicks(schedule, cursor, now);
      if (decision.skipped > 0)
        this.logger.warn(
          { schedule: schedule.name, skipped: decision.skipped },
          'missed schedule ticks skipped (catchUp policy)',
        );
      for (const tick of decision.fire) {
        if (await this.#atLimit(schedule)) {
          this.logger.warn(
            { schedule: schedule.name, maxActiveRuns: schedule.maxActiveRuns },
            'schedule tick skipped: its earlier runs are still active (maxActiveRuns)',
          );
          await saveTick(this.meta, schedule.name, tick, null, now);
          continue;
        }
        const plan = planForTick(snapshot, schedule, tick);
        const run = plan === undefined ? undefined : await this.submit(plan);
        await saveTick(this.meta, schedule.name, tick, run?.runId ?? null, now);
        this.onTick?.(schedule.name, Math.max(0, (now - tick) / 1000));
        fired.push({ schedule: schedule.name, tick, runId: run?.runId });
        if (run !== undefined)
          this.logger.info(
            { schedule: schedule.name, runId: run.runId, tick: new Date(tick).toISOString() },
            'schedule fired',
          );
      }
      if (decision.fire.length === 0 && decision.cursor !== cursor)
        await saveTick(this.meta, schedule.name, decision.cursor, null, now);
      cursor = decision.cursor;
      if (!decision.more) return fired;
    }
  }
}
