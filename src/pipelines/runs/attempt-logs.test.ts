import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { openMetaStore, type MetaStore } from '../../meta/index.js';
import { PipelinesAttemptNotFoundError } from '../errors.js';
import type { RunLogInput } from './attempt-logs.js';
import { RunStore } from './run-store.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');
/** Line `i`, exactly 100 bytes long. */
const line = (i: number): string => `line ${String(i).padStart(3, '0')} `.padEnd(100, '.');

describe.each(backends)('attempt logs on $name', (backend) => {
  describe.skipIf(backend.skip)('capture and capping', () => {
    let dir: string;
    let url: string;
    let meta: MetaStore;
    let store: RunStore;
    let attemptId: string;
    beforeEach(async () => {
      dir = makeTempDir();
      url = backend.url(dir);
      meta = await openMetaStore(url);
      store = new RunStore(meta, { clock: () => T0, logCapKiB: 1, maxLineBytes: 256 });
      await store.createRun({ tasks: [{ asset: 'a' }] });
      attemptId = (await store.claim('w1', { slots: 1 }))[0]!.attemptId;
    });
    afterEach(async () => {
      await meta.close();
      await backend.cleanup(url);
      removeDir(dir);
    });

    it('stores lines in order and serves them to a follower page by page', async () => {
      expect(
        await store.appendLogs(attemptId, [
          { line: 'starting', level: 'info' },
          { line: 'fetched 10 rows', stream: 'stdout', ts: T0 + 1 },
        ]),
      ).toBe(2);
      const first = await store.readLogs(attemptId);
      expect(first).toMatchObject({ lastSeq: 2, omittedLines: 0, finished: false });
      expect(first.lines).toEqual([
        { seq: 1, ts: '2024-03-15T12:00:00.000Z', stream: 'log', level: 'info', line: 'starting' },
        {
          seq: 2,
          ts: '2024-03-15T12:00:00.001Z',
          stream: 'stdout',
          level: null,
          line: 'fetched 10 rows',
        },
      ]);
      await store.appendLogs(attemptId, [{ line: 'oops', stream: 'stderr' }]);
      const next = await store.readLogs(attemptId, { afterSeq: first.lastSeq });
      expect(next.lines.map((l) => l.line)).toEqual(['oops']);
      expect(
        (await store.readLogs(attemptId, { afterSeq: 1, limit: 1 })).lines.map((l) => l.seq),
      ).toEqual([2]);
      await store.complete(attemptId, 'w1');
      const last = await store.readLogs(attemptId, { afterSeq: next.lastSeq });
      expect(last).toMatchObject({ lines: [], lastSeq: 3, finished: true });
    });

    it.each([
      ['one batch', 100],
      ['batches of 7', 7],
      ['single lines', 1],
    ])('keeps the first and last KiB with a marker between them (%s)', async (_name, size) => {
      const lines: RunLogInput[] = Array.from({ length: 100 }, (_, i) => ({ line: line(i) }));
      for (let i = 0; i < lines.length; i += size) {
        await store.appendLogs(attemptId, lines.slice(i, i + size));
      }
      const page = await store.readLogs(attemptId, { limit: 1000 });
      const texts = page.lines.map((l) => l.line);
      expect(texts.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => line(i)));
      expect(page.lines[10]?.stream).toBe('marker');
      expect(texts[10]).toContain('80 line(s), 8000 bytes omitted');
      expect(texts.slice(11)).toEqual(Array.from({ length: 10 }, (_, i) => line(90 + i)));
      expect(page).toMatchObject({ omittedLines: 80, omittedBytes: 8000 });
      // Sequence numbers stay increasing, so a follower never re-reads or misses kept lines.
      const seqs = page.lines.map((l) => l.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(page.lastSeq).toBe(101);
    });

    it('cuts a line longer than the longest allowed', async () => {
      await store.appendLogs(attemptId, [{ line: 'é'.repeat(1000) }]);
      const [stored] = (await store.readLogs(attemptId)).lines;
      expect(Buffer.byteLength(stored!.line)).toBeLessThanOrEqual(256);
      expect(stored!.line).toMatch(/^é+ … \[line cut: 2000 bytes\]$/);
    });

    it('refuses unknown attempts', async () => {
      await expect(store.appendLogs('a404', [{ line: 'x' }])).rejects.toBeInstanceOf(
        PipelinesAttemptNotFoundError,
      );
      await expect(store.readLogs('a404')).rejects.toBeInstanceOf(PipelinesAttemptNotFoundError);
    });
  });
});
