import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { newId } from '../core/index.js';
import type { LakeFile, NewLakeFile } from './catalog.js';
import type { Dataset } from './dataset-spec.js';
import { fsyncFileLater } from './durable-fs.js';
import { LakeBadDataError, LakeDuplicateKeysError } from './errors.js';
import { checkKeyOrder, fileSortKey, looksPresorted, type KeyOrder } from './key-order.js';
import type { LakeContext } from './lake-context.js';
import { fileKeyStats, type PartitionGroup } from './partition-groups.js';
import { fileColumns, scanSql } from './scan.js';
import { ident, literal } from './sql.js';
import { stagedColumn } from './staged-input.js';

/** A partition's file in the staging folder, before it is renamed into the lake. */
export type WrittenFile = NewLakeFile & { staged: string };

/** One partition's file as asked for, and whether it is sorted by the key. */
interface PartitionWrite {
  group: PartitionGroup;
  /** Files of the partition whose rows the new file keeps unless the write replaces their key. */
  mergeWith: LakeFile[];
  /** Sort by the key; without, the rows keep the staged table's order. */
  sort: boolean;
}

/** Written files are checked in the background once this many of their rows wait (see `write`). */
const CHECK_ROWS = 100_000;

/**
 * The files of one commit, a file per partition, written in key order and proven so before the
 * commit (decision 0014). Rows that look sorted already (`looksPresorted`) are written as staged,
 * the others sorted. The first file written on that guess is checked at once; every other file
 * is checked (`checkKeyOrder`) on a second connection while the next ones are written, and
 * `settle` writes again, sorted, a file whose rows were not in order after all, and fails the
 * write on a repeated key. `close` must follow, whatever happened.
 */
export class PartitionFiles {
  /** The files written so far, in partition order. */
  readonly added: WrittenFile[] = [];
  /**
   * Files checked in the background: their index in `added`, how they were written and, once
   * their check is done, its result.
   */
  private readonly pending: { index: number; write: PartitionWrite; order?: KeyOrder }[] = [];
  /** Pending files not handed to a check yet, and their rows. */
  private queued: number[] = [];
  private queuedRows = 0;
  /** The background checks, one after the other on `checker`. */
  private checks: Promise<void> = Promise.resolve();
  private checker: Promise<DuckDBConnection> | undefined;
  /** Each written file's fsync, started when its COPY ends (see `synced`). */
  private readonly syncs = new Map<string, Promise<void>>();
  private guessChecked = false;

  private constructor(
    private readonly ctx: LakeContext,
    private readonly conn: DuckDBConnection,
    private readonly dataset: Dataset,
    /** The table the files are read from: the staged table, or a copy clustered by partition. */
    readonly source: string,
    private readonly stagingDir: string,
    /** Columns the staged table leaves out, with the SQL of their value. */
    private readonly columnSql: ReadonlyMap<string, string> | undefined,
    private presorted: boolean,
  ) {}

  /** Prepares the writes of a staged table's `partitions` partitions into `stagingDir`. */
  static async open(
    ctx: LakeContext,
    conn: DuckDBConnection,
    dataset: Dataset,
    table: string,
    partitions: number,
    stagingDir: string,
    columnSql: ReadonlyMap<string, string> | undefined,
  ): Promise<PartitionFiles> {
    const presorted = dataset.primaryKey.length > 0 && (await looksPresorted(conn, dataset, table));
    const source = await sortedSource(conn, table, partitions, presorted);
    mkdirSync(stagingDir, { recursive: true });
    return new PartitionFiles(ctx, conn, dataset, source, stagingDir, columnSql, presorted);
  }

  /**
   * Writes a partition's file: its staged rows, and the rows of `mergeWith` whose key they do
   * not replace (such a merge is always sorted).
   */
  async write(group: PartitionGroup, mergeWith: LakeFile[]): Promise<WrittenFile> {
    const keyed = this.dataset.primaryKey.length > 0;
    const write: PartitionWrite = {
      group,
      mergeWith,
      sort: !this.presorted || mergeWith.length > 0,
    };
    let file = await this.writeFile(write);
    if (keyed && !write.sort && !this.guessChecked) {
      // The first file written on the guess is checked at once: a wrong guess costs one file.
      this.guessChecked = true;
      const [order] = await checkKeyOrder(this.conn, this.dataset, [fileRef(file)]);
      if ((order?.unordered ?? 0) === 0) {
        if ((order?.repeated ?? 0) > 0) throw repeatedKeysError(this.dataset, [group.part]);
        this.added.push(file);
        return file;
      }
      this.presorted = false;
      rmSync(file.staged, { force: true });
      write.sort = true;
      file = await this.writeFile(write);
    }
    this.added.push(file);
    if (keyed) {
      // A check reads the key columns back on one thread while the next COPY, which does not
      // keep two cores busy, runs. Small files wait to share a query (see `checkKeyOrder`).
      this.queued.push(this.pending.length);
      this.pending.push({ index: this.added.length - 1, write });
      this.queuedRows += file.rows;
      if (this.queuedRows >= CHECK_ROWS) this.checkQueued();
    }
    return file;
  }

  /** Hands the queued files to a background check. */
  private checkQueued(): void {
    const batch = this.queued;
    this.queued = [];
    this.queuedRows = 0;
    if (batch.length === 0) return;
    const refs = batch.map((k) => fileRef(this.added[this.pending[k]?.index ?? -1]));
    this.checker ??= this.ctx.engine.connect();
    const checker = this.checker;
    this.checks = this.checks.then(async () => {
      const orders = await checkKeyOrder(await checker, this.dataset, refs);
      batch.forEach((k, i) => {
        const p = this.pending[k];
        if (p) p.order = orders[i];
      });
    });
    // A failed check is reported by `settle`; until then it must not count as unhandled.
    this.checks.catch(() => undefined);
  }

  /**
   * Waits until every file of `added` is on stable storage. Each was fsynced in the background
   * since its COPY ended, while the next partitions were written.
   */
  async synced(): Promise<void> {
    await Promise.all(this.added.map((f) => this.syncs.get(f.staged) ?? fsyncFileLater(f.staged)));
  }

  /** Waits for the background checks and fsyncs, and closes the checks' connection. */
  async close(): Promise<void> {
    await Promise.allSettled([this.checks, ...this.syncs.values()]);
    const checker = await this.checker?.catch(() => undefined);
    checker?.closeSync();
    this.checker = undefined;
  }

  /**
   * Checks the files not checked yet: one written unsorted whose rows were not in key order is
   * written again, sorted; a repeated key fails the write with `LakeDuplicateKeysError`.
   */
  async settle(): Promise<void> {
    const ref = (k: number): { path: string; rows: number } =>
      fileRef(this.added[this.pending[k]?.index ?? -1]);
    this.checkQueued();
    await this.checks;
    const orders = this.pending.map((p) => p.order);
    const redo = this.pending.flatMap((p, k) =>
      (orders[k]?.unordered ?? 0) > 0 && !p.write.sort ? [k] : [],
    );
    for (const k of redo) {
      const p = this.pending[k];
      if (!p) continue;
      rmSync(ref(k).path, { force: true });
      this.added[p.index] = await this.writeFile({ ...p.write, sort: true });
    }
    const again = await checkKeyOrder(this.conn, this.dataset, redo.map(ref));
    redo.forEach((k, r) => {
      const order = again[r];
      if (order) orders[k] = order;
    });
    const parts = this.pending.map((p) => p.write.group.part);
    const repeated = parts.filter((_, k) => (orders[k]?.repeated ?? 0) > 0);
    if (repeated.length > 0) throw repeatedKeysError(this.dataset, repeated);
    const unordered = parts.find((_, k) => (orders[k]?.unordered ?? 0) > 0);
    if (unordered !== undefined) {
      throw new LakeBadDataError(
        `The sorted file of ${this.dataset.name} partition ${unordered} is not in key order: DuckDB's sort and comparison disagree on some key (${this.dataset.primaryKey.join(', ')}). Nothing was committed; report it with the key values.`,
        { details: { dataset: this.dataset.name, partition: unordered } },
      );
    }
  }

  private async writeFile({ group, mergeWith, sort }: PartitionWrite): Promise<WrittenFile> {
    const { ctx, dataset, source } = this;
    const names = fileColumns(dataset);
    const cols = names.map(ident).join(', ');
    const pk = dataset.primaryKey.map(ident);
    const rows = `FROM ${ident(source)} WHERE ${group.where} AND _reason IS NULL`;
    const sortKey = fileSortKey(dataset).map(ident);
    const order = sort && sortKey.length > 0 ? ` ORDER BY ${sortKey.join(', ')}` : '';
    const values = names.map((c) => `${stagedColumn(this.columnSql, c)} AS ${ident(c)}`);
    let query: string;
    if (mergeWith.length > 0) {
      query = `SELECT * FROM (SELECT ${cols} FROM (${scanSql(dataset, ctx.layout, mergeWith)}) AS e ANTI JOIN (SELECT ${pk.join(', ')} ${rows}) AS n USING (${pk.join(', ')}) UNION ALL SELECT ${values.join(', ')} ${rows})${order}`;
    } else {
      // Columns the staged table leaves out are added after the sort, which then carries fewer
      // columns (the S&P file's six partitions: 15 ms less); the projection keeps the order.
      const held = names.filter((c) => !this.columnSql?.has(c)).map(ident);
      query =
        held.length === 0
          ? `SELECT ${values.join(', ')} ${rows}`
          : `SELECT ${values.join(', ')} FROM (SELECT ${held.join(', ')} ${rows}${order})`;
    }
    const id = newId();
    const staged = path.join(this.stagingDir, `${id}.parquet`);
    await this.conn.run(
      `COPY (${query}) TO ${literal(staged)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE ${ctx.rowGroupSize})`,
    );
    const sync = fsyncFileLater(staged);
    // A failed fsync is reported by `synced`; a file written again meanwhile has its own.
    sync.catch(() => undefined);
    this.syncs.set(staged, sync);
    // A new partition holds exactly the group's rows, whose count and key range staging knows;
    // a merged one is read back.
    const stats =
      mergeWith.length === 0
        ? { n: group.rows, minKey: group.minKey, maxKey: group.maxKey }
        : await fileKeyStats(this.conn, dataset, staged, group.value);
    return {
      id,
      path: ctx.layout.relativeFile(dataset.name, group.part, id),
      partition: group.part,
      rows: stats.n,
      bytes: statSync(staged).size,
      minKey: stats.minKey,
      maxKey: stats.maxKey,
      staged,
    };
  }
}

function fileRef(file: WrittenFile | undefined): { path: string; rows: number } {
  return { path: file?.staged ?? '', rows: file?.rows ?? 0 };
}

/** The error of a write whose files repeat a key (callers name the keys: `findDuplicateKeys`). */
function repeatedKeysError(
  dataset: Dataset,
  partitions: readonly string[],
): LakeDuplicateKeysError {
  return new LakeDuplicateKeysError(
    `The write repeats primary keys of ${dataset.name} (${dataset.primaryKey.join(', ')}) in partition ${partitions.join(', ')}. Keep one row per key.`,
    { details: { dataset: dataset.name, partitions: [...partitions] } },
  );
}

/**
 * With many partitions (minute bars by date), clustering the staged rows by partition once lets
 * each partition's COPY skip other partitions' row groups instead of scanning everything again.
 * With few partitions the extra pass costs more than the repeated scans.
 */
async function sortedSource(
  conn: DuckDBConnection,
  table: string,
  partitions: number,
  presorted: boolean,
): Promise<string> {
  if (partitions <= 64) return table;
  const sorted = `${table}_by_part`;
  // Rows in key order keep their order within each partition (DuckDB's sort is not stable).
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${ident(sorted)} AS SELECT * FROM ${ident(table)} WHERE _reason IS NULL ORDER BY _part${presorted ? ', rowid' : ''}`,
  );
  return sorted;
}
