/**
 * Evaluates the project's sensors on their intervals: a custom sensor's `check` returns run
 * requests and a cursor (kept in `sensor_state`); an inbox sensor hands each stable file to a run
 * (see inbox-sensor.ts). Run keys deduplicate requests: a key already used by the sensor's recent
 * runs is not submitted again.
 */
import type { Logger } from '../../core/index.js';
import { messageOf } from '../../core/index.js';
import type { CreatedRun, RunPlan, RunStore } from '../runs/index.js';
import type { CustomSensorDefinition, RunRequest, SensorDefinition } from '../sdk/sensor.js';
import { InboxSensor } from './inbox-sensor.js';
import type { ProjectSnapshot } from './project-holder.js';
import { planSelection } from './selection.js';
import { readSensorState, writeSensorState } from './sensor-state.js';

const RUN_KEY_TAG = 'runKey';

/** Runs sensors when they are due. */
export class SensorRunner {
  readonly #inboxes = new Map<string, InboxSensor>();
  readonly #running = new Set<string>();

  constructor(
    private readonly store: RunStore,
    private readonly submit: (plan: RunPlan) => Promise<CreatedRun>,
    private readonly logger: Logger,
  ) {}

  /** Evaluates the sensors of `snapshot` that are due at `now`. */
  async evaluate(snapshot: ProjectSnapshot, now: number): Promise<void> {
    const due: SensorDefinition[] = [];
    for (const sensor of snapshot.loaded.sensors) {
      if (this.#running.has(sensor.name)) continue;
      const state = await readSensorState(this.store.meta, sensor.name);
      if (state !== undefined && now - state.lastCheckMs < sensor.everyMs) continue;
      due.push(sensor);
    }
    await Promise.all(
      due.map(async (sensor) => {
        this.#running.add(sensor.name);
        try {
          if (sensor.type === 'inbox') await this.#inbox(sensor.name, snapshot).tick(sensor, now);
          else await this.#custom(snapshot, sensor, now);
        } catch (err) {
          this.logger.error({ err, sensor: sensor.name }, 'sensor evaluation failed');
        } finally {
          this.#running.delete(sensor.name);
        }
      }),
    );
  }

  #inbox(name: string, snapshot: ProjectSnapshot): InboxSensor {
    let inbox = this.#inboxes.get(name);
    if (inbox === undefined) {
      inbox = new InboxSensor(this.store, this.submit, this.logger, snapshot.projectDir);
      this.#inboxes.set(name, inbox);
    }
    inbox.useProject(snapshot);
    return inbox;
  }

  async #custom(snapshot: ProjectSnapshot, sensor: CustomSensorDefinition, now: number) {
    const state = await readSensorState(this.store.meta, sensor.name);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(30_000, sensor.everyMs));
    let requests: readonly RunRequest[] = [];
    let cursor = state?.cursor;
    try {
      const result = await sensor.check({
        sensor: sensor.name,
        cursor,
        now,
        signal: controller.signal,
      });
      if (Array.isArray(result)) requests = result as readonly RunRequest[];
      else if (result !== undefined && typeof result === 'object') {
        const r = result as { runs?: readonly RunRequest[]; cursor?: string };
        requests = r.runs ?? [];
        if (r.cursor !== undefined) cursor = r.cursor;
      }
    } catch (err) {
      await writeSensorState(this.store.meta, sensor.name, {
        cursor,
        now,
        error: messageOf(err),
      });
      throw err;
    } finally {
      clearTimeout(timer);
    }
    let lastRun: string | undefined;
    const usedKeys = await this.#recentRunKeys(sensor.name);
    for (const request of requests) {
      if (request.runKey !== undefined && usedKeys.has(request.runKey)) continue;
      const assets = request.assets ?? sensor.select;
      const plan = planSelection([...snapshot.assets.values()], {
        assets,
        partition: request.partition,
        kind: 'sensor',
        job: sensor.name,
        tags: {
          ...sensor.tags,
          ...request.tags,
          sensor: sensor.name,
          ...(request.runKey !== undefined ? { [RUN_KEY_TAG]: request.runKey } : {}),
        },
      });
      lastRun = (await this.submit(plan)).runId;
      if (request.runKey !== undefined) usedKeys.add(request.runKey);
    }
    await writeSensorState(this.store.meta, sensor.name, { cursor, now, runId: lastRun });
  }

  async #recentRunKeys(sensor: string): Promise<Set<string>> {
    const page = await this.store.listRuns({ kind: 'sensor', limit: 1000 });
    const keys = new Set<string>();
    for (const run of page.runs) {
      const key = run.tags[RUN_KEY_TAG];
      if (run.job === sensor && key !== undefined) keys.add(key);
    }
    return keys;
  }
}
