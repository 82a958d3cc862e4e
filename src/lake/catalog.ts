import type { Kysely } from 'kysely';
import type {
  DatasetVersionsTable,
  LakeFilesTable,
  MetaDatabase,
  MetaStore,
} from '../meta/index.js';
import { LakeCommitConflictError, LakeVersionNotFoundError } from './errors.js';

/** A Parquet file of a dataset version. */
export interface LakeFile {
  id: string;
  /** Path relative to the lake root. */
  path: string;
  partition: string;
  rows: number;
  bytes: number;
  minKey: unknown[];
  maxKey: unknown[];
  addedVersion: number;
  removedVersion: number | null;
}

/** One committed version of a dataset, as `lake history` shows it. */
export interface DatasetVersion {
  dataset: string;
  version: number;
  createdAt: string;
  operation: string;
  writer: string;
  rowsAdded: number;
  rowsRemoved: number;
  filesAdded: number;
  filesRemoved: number;
  rows: number;
  bytes: number;
  files: number;
  partitions: string[];
}

/** A file a commit adds. */
export type NewLakeFile = Omit<LakeFile, 'addedVersion' | 'removedVersion'>;

/** What one commit changes. */
export interface CommitInput {
  dataset: string;
  /** The head version the write was based on; the commit fails if another writer moved it. */
  baseVersion: number;
  operation: string;
  writer: string;
  added: NewLakeFile[];
  removedIds: string[];
  partitions: string[];
  /** Runs first inside the commit transaction; throwing aborts the commit. */
  guard?: CommitGuard;
}

/**
 * A check run inside a commit's catalog transaction, e.g. that a pipeline attempt still holds its
 * lease, so a zombie writer whose lease expired cannot commit.
 */
export type CommitGuard = (trx: Kysely<MetaDatabase>) => Promise<void>;

function toFile(r: LakeFilesTable): LakeFile {
  return {
    id: r.id,
    path: r.path,
    partition: r.partition,
    rows: Number(r.row_count),
    bytes: Number(r.byte_count),
    minKey: JSON.parse(r.min_key_json) as unknown[],
    maxKey: JSON.parse(r.max_key_json) as unknown[],
    addedVersion: Number(r.added_version),
    removedVersion: r.removed_version === null ? null : Number(r.removed_version),
  };
}

function toVersion(r: DatasetVersionsTable): DatasetVersion {
  return {
    dataset: r.dataset,
    version: Number(r.version),
    createdAt: r.created_at,
    operation: r.operation,
    writer: r.writer,
    rowsAdded: Number(r.rows_added),
    rowsRemoved: Number(r.rows_removed),
    filesAdded: Number(r.files_added),
    filesRemoved: Number(r.files_removed),
    rows: Number(r.row_count),
    bytes: Number(r.byte_count),
    files: Number(r.file_count),
    partitions: JSON.parse(r.partitions_json) as string[],
  };
}

/** The files that make up `version` of a dataset (a committed snapshot; never a directory glob). */
export async function filesAt(
  store: MetaStore,
  dataset: string,
  version: number,
  partitions?: readonly string[],
): Promise<LakeFile[]> {
  let q = store.db
    .selectFrom('lake_files')
    .selectAll()
    .where('dataset', '=', dataset)
    .where('added_version', '<=', version)
    .where((eb) => eb.or([eb('removed_version', 'is', null), eb('removed_version', '>', version)]));
  if (partitions) {
    if (partitions.length === 0) return [];
    q = q.where('partition', 'in', [...partitions]);
  }
  const rows = await q.orderBy('partition').orderBy('path').execute();
  return rows.map(toFile);
}

/** A version's summary; throws `LAKE_VERSION_NOT_FOUND` when it was never committed or was vacuumed. */
export async function getVersion(
  store: MetaStore,
  dataset: string,
  version: number,
): Promise<DatasetVersion> {
  const row = await store.db
    .selectFrom('dataset_versions')
    .selectAll()
    .where('dataset', '=', dataset)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) {
    const head = await store.db
      .selectFrom('datasets')
      .select('head_version')
      .where('name', '=', dataset)
      .executeTakeFirst();
    throw new LakeVersionNotFoundError(
      `Dataset "${dataset}" has no version ${version} (head is ${head?.head_version ?? 0}; old versions are removed by vacuum after the retention period). See \`marketlake lake history ${dataset}\`.`,
      { details: { dataset, version } },
    );
  }
  return toVersion(row);
}

/** Every retained version of a dataset, newest first. */
export async function history(
  store: MetaStore,
  dataset: string,
  limit = 1000,
): Promise<DatasetVersion[]> {
  const rows = await store.db
    .selectFrom('dataset_versions')
    .selectAll()
    .where('dataset', '=', dataset)
    .orderBy('version', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toVersion);
}

/**
 * Commits a new version in one transaction: bumps the head from `baseVersion` to `baseVersion+1`
 * (or fails with a conflict), records the new files and marks the replaced ones removed. Until
 * this commits, the new files are invisible to every reader.
 */
export async function commitVersion(store: MetaStore, input: CommitInput): Promise<DatasetVersion> {
  const version = input.baseVersion + 1;
  const now = new Date();
  return store.transaction(async (trx) => {
    await input.guard?.(trx);
    const bumped = await trx
      .updateTable('datasets')
      .set({ head_version: version, updated_at: now.toISOString() })
      .where('name', '=', input.dataset)
      .where('head_version', '=', input.baseVersion)
      .executeTakeFirst();
    if (Number(bumped.numUpdatedRows) !== 1) {
      throw new LakeCommitConflictError(
        `Another writer committed to "${input.dataset}" after version ${input.baseVersion}; retry the write.`,
        { details: { dataset: input.dataset, baseVersion: input.baseVersion } },
      );
    }
    const prev = await trx
      .selectFrom('dataset_versions')
      .select(['row_count', 'byte_count', 'file_count'])
      .where('dataset', '=', input.dataset)
      .where('version', '=', input.baseVersion)
      .executeTakeFirst();
    let rowsRemoved = 0;
    let bytesRemoved = 0;
    for (let i = 0; i < input.removedIds.length; i += 500) {
      const ids = input.removedIds.slice(i, i + 500);
      const removed = await trx
        .selectFrom('lake_files')
        .select(['row_count', 'byte_count'])
        .where('id', 'in', ids)
        .execute();
      for (const r of removed) {
        rowsRemoved += Number(r.row_count);
        bytesRemoved += Number(r.byte_count);
      }
      await trx
        .updateTable('lake_files')
        .set({ removed_version: version, removed_at_ms: now.getTime() })
        .where('id', 'in', ids)
        .execute();
    }
    const rowsAdded = input.added.reduce((s, f) => s + f.rows, 0);
    const bytesAdded = input.added.reduce((s, f) => s + f.bytes, 0);
    for (let i = 0; i < input.added.length; i += 500) {
      await trx
        .insertInto('lake_files')
        .values(
          input.added.slice(i, i + 500).map((f) => ({
            id: f.id,
            dataset: input.dataset,
            path: f.path,
            partition: f.partition,
            row_count: f.rows,
            byte_count: f.bytes,
            min_key_json: JSON.stringify(f.minKey),
            max_key_json: JSON.stringify(f.maxKey),
            added_version: version,
            removed_version: null,
            removed_at_ms: null,
            created_at: now.toISOString(),
          })),
        )
        .execute();
    }
    const row: DatasetVersionsTable = {
      dataset: input.dataset,
      version,
      created_at: now.toISOString(),
      operation: input.operation,
      writer: input.writer,
      rows_added: rowsAdded,
      rows_removed: rowsRemoved,
      files_added: input.added.length,
      files_removed: input.removedIds.length,
      row_count: Number(prev?.row_count ?? 0) + rowsAdded - rowsRemoved,
      byte_count: Number(prev?.byte_count ?? 0) + bytesAdded - bytesRemoved,
      file_count: Number(prev?.file_count ?? 0) + input.added.length - input.removedIds.length,
      partitions_json: JSON.stringify(input.partitions),
    };
    await trx.insertInto('dataset_versions').values(row).execute();
    return toVersion(row);
  });
}
