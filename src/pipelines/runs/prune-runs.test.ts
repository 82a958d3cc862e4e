import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import { RunStore } from './run-store.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-03-15T12:00:00.000Z');

describe.each(backends)('run history retention on $name', (backend) => {
  describe.skipIf(backend.skip)('pruneHistory', () => {
    let dir: string;
    let url: string;
    let meta: MetaStore;
    beforeEach(async () => {
      dir = makeTempDir();
      url = backend.url(dir);
      meta = await openMetaStore(url);
    });
    afterEach(async () => {
      await meta.close();
      await backend.cleanup(url);
      removeDir(dir);
    });

    async function finishedRun(store: RunStore, at: number): Promise<string> {
      const { runId } = await store.createRun(
        { tasks: [{ asset: 'a' }, { asset: 'b', deps: [0] }] },
        at,
      );
      for (;;) {
        const batch = await store.claim('w', { slots: 5, now: at });
        if (batch.length === 0) break;
        for (const x of batch) {
          await store.appendLogs(x.attemptId, [{ line: 'hello', ts: at }], at);
          await store.complete(x.attemptId, 'w', {}, at);
        }
      }
      return runId;
    }

    it('deletes runs that ended before the retention with their attempts, events and logs', async () => {
      const store = new RunStore(meta, { clock: () => T0 });
      const old = await finishedRun(store, T0 - 100 * DAY);
      const recent = await finishedRun(store, T0 - 10 * DAY);
      const active = await store.createRun({ tasks: [{ asset: 'a' }] }, T0 - 200 * DAY);
      expect(await store.pruneHistory(90 * DAY)).toBe(1);
      await expect(store.getRun(old)).rejects.toMatchObject({ code: 'PIPELINES_RUN_NOT_FOUND' });
      expect((await store.getRun(recent)).state).toBe('succeeded');
      expect((await store.getRun(active.runId)).state).toBe('queued');
      const left = await meta.db
        .selectFrom('attempt_logs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      expect(Number(left?.n)).toBe(2);
      const events = await meta.db
        .selectFrom('run_events')
        .select('run_id')
        .where('run_id', '=', old)
        .execute();
      expect(events).toEqual([]);
    });
  });
});
