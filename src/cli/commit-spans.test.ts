import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { makeTempDir, removeDir } from '../../test/helpers/temp-dir.js';
import { openMetaStore, type MetaStore } from '../meta/index.js';
import {
  NOOP_TRACING,
  type AttemptChildSpanInput,
  type AttemptSpanInput,
  type Tracing,
} from '../observe/index.js';
import { CommitSpans } from './commit-spans.js';

/*
 * Lake commit spans read back from the catalogue: each attempt gets the versions it (or its run,
 * during it) committed, and attempts that end while a lookup runs share the next query.
 */

const T0 = Date.parse('2024-03-15T12:00:00.000Z');
const iso = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

function attempt(attemptId: string, runId: string, startMs: number, endMs: number) {
  const resources = {
    wallSeconds: 0,
    queueSeconds: 0,
    cpuUserSeconds: 0,
    cpuSystemSeconds: 0,
    peakRssBytes: 0,
    rowsWritten: 0,
    bytesRead: 0,
    bytesWritten: 0,
  };
  return {
    runId,
    attemptId,
    asset: 'prices',
    partition: null,
    attempt: 1,
    startMs: T0 + startMs,
    endMs: T0 + endMs,
    state: 'succeeded',
    exitReason: 'OK',
    resources,
  } satisfies AttemptSpanInput;
}

function recordingTracing(): Tracing & { spans: AttemptChildSpanInput[] } {
  const spans: AttemptChildSpanInput[] = [];
  return { ...NOOP_TRACING, enabled: true, spans, attemptChildSpan: (c) => spans.push(c) };
}

describe.each(backends)('CommitSpans on $name', (backend) => {
  let dir: string;
  let url: string;
  let store: MetaStore;

  beforeEach(async () => {
    if (backend.skip) return;
    dir = makeTempDir();
    url = backend.url(dir);
    store = await openMetaStore(url);
    const now = iso(0);
    await store.db
      .insertInto('datasets')
      .values({
        name: 'prices',
        schema_json: '{}',
        partitioning_json: '{}',
        description: '',
        builtin: 0,
        head_version: 4,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const version = (v: number, writer: string, atMs: number) => ({
      dataset: 'prices',
      version: v,
      created_at: iso(atMs),
      operation: 'write',
      writer,
      rows_added: 10 * v,
      rows_removed: 0,
      files_added: 1,
      files_removed: 0,
      row_count: 10 * v,
      byte_count: 100,
      file_count: v,
      partitions_json: '[]',
    });
    await store.db
      .insertInto('dataset_versions')
      .values([
        version(1, 'att_a', 500), // a's own commit
        version(2, 'run_1', 1_500), // the run's, during b only
        version(3, 'att_b', 5_000), // b's, after b ended: not b's
        version(4, 'cli', 1_200), // someone else's
      ])
      .execute();
  });

  afterEach(async () => {
    if (backend.skip) return;
    await store.close();
    await backend.cleanup(url);
    removeDir(dir);
  });

  it.skipIf(backend.skip)('emits each attempt its own commits, one query per batch', async () => {
    const tracing = recordingTracing();
    const queries = vi.spyOn(store.db, 'executeQuery');
    const commits = new CommitSpans(tracing, store);
    // Attempts that end within the batching window share one query.
    commits.add(attempt('att_x', 'run_2', 0, 100));
    commits.add(attempt('att_a', 'run_1', 0, 1_000));
    commits.add(attempt('att_b', 'run_1', 1_000, 2_000));
    await vi.waitFor(() => expect(tracing.spans).toHaveLength(2));
    expect(queries).toHaveBeenCalledTimes(1);
    expect(
      tracing.spans.map((s) => [s.attemptId, s.name, s.attributes['marketlake.dataset.version']]),
    ).toEqual([
      ['att_a', 'lake.commit prices', 1],
      ['att_b', 'lake.commit prices', 2],
    ]);
    expect(tracing.spans[0]).toMatchObject({
      runId: 'run_1',
      startMs: T0 + 500,
      endMs: T0 + 500,
      attributes: { 'marketlake.rows_added': 10, 'marketlake.operation': 'write' },
    });
    // A later attempt gets a query of its own (a batch of one, another compiled statement);
    // flush looks it up without waiting for the window.
    commits.add(attempt('att_b', 'run_3', 4_000, 6_000));
    await commits.flush();
    expect(tracing.spans).toHaveLength(3);
    expect(queries).toHaveBeenCalledTimes(2);
    expect(tracing.spans[2]).toMatchObject({ attemptId: 'att_b', runId: 'run_3' });
  });
});
