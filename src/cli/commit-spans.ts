/**
 * Spans for the lake commits of ended attempts, read back from the catalogue (the lake cannot
 * import the observe domain). Lookups are batched: the attempts that end within a short window
 * (`BATCH_WINDOW_MS`), or while a lookup runs, share one query, compiled once per batch size. A
 * fan-out of short attempts costs a small fraction of a query per attempt; the spans go out with
 * the next export anyway, which waits longer than the window. `flush` runs what is waiting.
 */
import { BatchQueue, type Logger } from '../core/index.js';
import type { CompiledQuery, Selectable } from 'kysely';
import type { DatasetVersionsTable, MetaStore } from '../meta/index.js';
import type { AttemptSpanInput, Tracing } from '../observe/index.js';

/** Most attempts in one query (each adds two parameters). */
const MAX_BATCH = 256;

/** How long an ended attempt waits for others to share its lookup. */
export const BATCH_WINDOW_MS = 100;

type VersionsQuery = CompiledQuery<Selectable<DatasetVersionsTable>>;

/** Looks up and emits the commit spans of attempts, batching the catalogue queries. */
export class CommitSpans {
  readonly #queued = new BatchQueue<AttemptSpanInput>({
    windowMs: BATCH_WINDOW_MS,
    maxBatch: MAX_BATCH,
    handle: (batch) =>
      this.#emit(batch).catch((err: unknown) => {
        this.logger?.warn({ err }, 'tracing: could not read the lake commits of attempts');
      }),
  });
  readonly #queries = new Map<number, VersionsQuery>();

  constructor(
    private readonly tracing: Tracing,
    private readonly meta: MetaStore,
    private readonly logger?: Logger,
  ) {}

  /** Emits, soon, a span per lake version the attempt (or its run, during it) committed. */
  add(a: AttemptSpanInput): void {
    this.#queued.add(a);
  }

  /** Looks up what is waiting now and emits its spans. */
  flush(): Promise<void> {
    return this.#queued.flush();
  }

  /**
   * The lookup for `n` writers, compiled once per `n` (building and compiling a query costs more
   * than running it); its parameters are the writers, then the window's start and end.
   */
  #query(n: number): VersionsQuery {
    let query = this.#queries.get(n);
    if (query === undefined) {
      query = this.meta.db
        .selectFrom('dataset_versions')
        .selectAll()
        .where(
          'writer',
          'in',
          Array.from({ length: n }, () => ''),
        )
        .where('created_at', '>=', '')
        .where('created_at', '<=', '')
        .orderBy('created_at')
        .compile();
      this.#queries.set(n, query);
    }
    return query;
  }

  async #emit(batch: readonly AttemptSpanInput[]): Promise<void> {
    const writers = new Set<string>();
    let fromMs = batch[0]!.startMs;
    let toMs = batch[0]!.endMs;
    for (const a of batch) {
      writers.add(a.attemptId).add(a.runId);
      if (a.startMs < fromMs) fromMs = a.startMs;
      if (a.endMs > toMs) toMs = a.endMs;
    }
    // The catalogue writes times as ISO-8601 UTC with milliseconds, which sort as text.
    const ids = paddedToPowerOfTwo([...writers]);
    const query = this.#query(ids.length);
    const window = [new Date(fromMs).toISOString(), new Date(toMs).toISOString()];
    const lookup: VersionsQuery = { ...query, parameters: [...ids, ...window] };
    const { rows: versions } = await this.meta.db.executeQuery(lookup);
    if (versions.length === 0) return;
    for (const a of batch) {
      for (const v of versions) {
        const own = v.writer === a.attemptId || v.writer === a.runId;
        if (!own) continue;
        const at = Date.parse(v.created_at);
        if (at < Math.floor(a.startMs) || at > Math.floor(a.endMs)) continue;
        // The catalogue keeps when a commit became visible, not when it began: an instant span.
        this.tracing.attemptChildSpan({
          runId: a.runId,
          attemptId: a.attemptId,
          name: `lake.commit ${v.dataset}`,
          startMs: at,
          endMs: at,
          attributes: {
            'marketlake.dataset': v.dataset,
            'marketlake.dataset.version': Number(v.version),
            'marketlake.operation': v.operation,
            'marketlake.rows_added': Number(v.rows_added),
            'marketlake.rows_removed': Number(v.rows_removed),
            'marketlake.files_added': Number(v.files_added),
            'marketlake.partitions': v.partitions_json,
          },
        });
      }
    }
  }
}

/**
 * `ids` repeated up to a power-of-two length: each length is a distinct SQL text to prepare, so
 * batches of any size share a handful of cached statements.
 */
function paddedToPowerOfTwo(ids: string[]): string[] {
  let n = 1;
  while (n < ids.length) n *= 2;
  const last = ids[ids.length - 1]!;
  while (ids.length < n) ids.push(last);
  return ids;
}
