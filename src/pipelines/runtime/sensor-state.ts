/** Each sensor's stored cursor and last evaluation (`sensor_state`). */
import type { MetaStore } from '../../meta/index.js';

/** The stored state of a sensor. */
export interface SensorState {
  readonly cursor: string | undefined;
  readonly lastCheckMs: number;
}

/** Reads a sensor's state. */
export async function readSensorState(
  meta: MetaStore,
  name: string,
): Promise<SensorState | undefined> {
  const row = await meta.db
    .selectFrom('sensor_state')
    .select(['cursor', 'last_check_ms'])
    .where('name', '=', name)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { cursor: row.cursor ?? undefined, lastCheckMs: Number(row.last_check_ms) };
}

/** Writes a sensor's state after an evaluation. */
export async function writeSensorState(
  meta: MetaStore,
  name: string,
  values: { cursor: string | undefined; now: number; runId?: string; error?: string },
): Promise<void> {
  const row = {
    cursor: values.cursor ?? null,
    last_check_ms: values.now,
    last_error: values.error ?? null,
    updated_at_ms: values.now,
    ...(values.runId !== undefined ? { last_run_id: values.runId } : {}),
  };
  await meta.db
    .insertInto('sensor_state')
    .values({ name, last_run_id: null, ...row })
    .onConflict((oc) => oc.column('name').doUpdateSet(row))
    .execute();
}
