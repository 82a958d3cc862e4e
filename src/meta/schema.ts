import type { Generated } from 'kysely';

/** Applied schema migrations. */
export interface MetaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

/** Registered datasets (built-in and user-defined). */
export interface DatasetsTable {
  name: string;
  /** JSON of the dataset's columns, primary key and checks. */
  schema_json: string;
  /** JSON of the partitioning spec. */
  partitioning_json: string;
  description: string;
  builtin: number;
  /** Latest committed version (0: no data yet). */
  head_version: number;
  created_at: string;
  updated_at: string;
}

/** One committed version of a dataset. */
export interface DatasetVersionsTable {
  dataset: string;
  version: number;
  created_at: string;
  /** What produced it: write, replace, compact, import. */
  operation: string;
  /** Run id or other writer identity (`cli`, `api`). */
  writer: string;
  rows_added: number;
  rows_removed: number;
  files_added: number;
  files_removed: number;
  /** Totals of the version after the commit. */
  row_count: number;
  byte_count: number;
  file_count: number;
  /** Partitions the commit touched (JSON array). */
  partitions_json: string;
}

/** Parquet files of the lake; a file belongs to versions [added_version, removed_version). */
export interface LakeFilesTable {
  id: string;
  dataset: string;
  /** Path relative to the lake root, with forward slashes. */
  path: string;
  /** Partition path such as `year=2024` ('' for unpartitioned datasets). */
  partition: string;
  row_count: number;
  byte_count: number;
  /** JSON of the primary key's minimum and maximum values in the file. */
  min_key_json: string;
  max_key_json: string;
  added_version: number;
  removed_version: number | null;
  /** Epoch ms when the file stopped being current (for retention). */
  removed_at_ms: number | null;
  created_at: string;
}

/** Rows that an import could not accept, with where they came from and why. */
export interface QuarantineTable {
  id: Generated<number>;
  dataset: string;
  import_id: string;
  source_file: string;
  line: number | null;
  raw: string;
  reason: string;
  created_at: string;
}

/** One import of a file into a dataset. */
export interface ImportsTable {
  id: string;
  dataset: string;
  source_file: string;
  /** `<bytes>:<mtime ms>` of the source file when it was imported. */
  fingerprint: string;
  version: number | null;
  rows_imported: number;
  rows_quarantined: number;
  created_at: string;
}

/** Named leases: cross-process (and cross-machine) locks with an expiry. */
export interface LeasesTable {
  name: string;
  owner: string;
  host: string;
  pid: number;
  expires_at_ms: number;
  acquired_at: string;
}

/** The metadata database as Kysely sees it. */
export interface MetaDatabase {
  meta_migrations: MetaMigrationsTable;
  datasets: DatasetsTable;
  dataset_versions: DatasetVersionsTable;
  lake_files: LakeFilesTable;
  quarantine: QuarantineTable;
  imports: ImportsTable;
  leases: LeasesTable;
}
