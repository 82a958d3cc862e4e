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
  runs: RunsTable;
  run_tasks: RunTasksTable;
  task_deps: TaskDepsTable;
  attempts: AttemptsTable;
  run_events: RunEventsTable;
  attempt_logs: AttemptLogsTable;
  backfills: BackfillsTable;
  partition_status: PartitionStatusTable;
  workers: WorkersTable;
  schedule_state: ScheduleStateTable;
  sensor_state: SensorStateTable;
  alerts: AlertsTable;
  alert_notifications: AlertNotificationsTable;
  alert_silences: AlertSilencesTable;
}

/** The last tick the scheduler evaluated for each schedule (migration 3). */
export interface ScheduleStateTable {
  name: string;
  /** Epoch ms of the last tick evaluated (fired or skipped). */
  last_tick_ms: number;
  last_run_id: string | null;
  updated_at_ms: number;
}

/** Each sensor's cursor and last evaluation (migration 3). */
export interface SensorStateTable {
  name: string;
  /** What the sensor's check returned as its cursor (opaque text). */
  cursor: string | null;
  last_check_ms: number;
  last_run_id: string | null;
  /** Message of the last check that threw, cleared by a good one. */
  last_error: string | null;
  updated_at_ms: number;
}

/** A run: one materialization of a selection of assets and partitions (migration 2). */
export interface RunsTable {
  /** Sortable id: creation time first, so ordering by id is ordering by age. */
  id: string;
  /** Job or schedule name that produced the run, when any. */
  job: string | null;
  /** JSON of what was selected (assets, partitions), as the submitter described it. */
  selection_json: string;
  /** manual, schedule, backfill, retry or sensor. */
  kind: string;
  /** Higher runs first: live schedules before manual runs before backfills. */
  priority: number;
  /** queued, running, succeeded, failed or canceled. */
  state: string;
  /** ISO-8601 UTC with milliseconds. */
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The run this one retries. */
  parent_run_id: string | null;
  backfill_id: string | null;
  /** JSON object of string labels. */
  tags_json: string;
  error: string | null;
  /** Task counters kept under the run lock, so finishing a run never scans its tasks. */
  tasks_total: number;
  tasks_finished: number;
  tasks_unsuccessful: number;
}

/** A task of a run: one asset (and partition) with its retry budget; attempts execute it. */
export interface RunTasksTable {
  run_id: string;
  /** Position in the run's plan; dependencies refer to it. */
  task_index: number;
  asset: string;
  partition_key: string | null;
  /** Index of the partition in the asset's key space, for partition status. */
  partition_index: number | null;
  pool: string | null;
  priority: number;
  max_attempts: number;
  /** JSON of the retry policy (delays, backoff, jitter). */
  retry_json: string;
  /** waiting, queued, running, succeeded, failed, canceled, skipped or upstream_failed. */
  state: string;
  /** Attempts created so far (the latest has this number). */
  attempt_count: number;
  /** Failed attempts, counted against max_attempts. */
  failed_count: number;
  /** Attempts lost with their worker, bounded separately. */
  lost_count: number;
  /** Upstream tasks not yet succeeded or skipped: the task is ready when this reaches 0. */
  upstream_pending: number;
  /** Upstream tasks that were skipped (a ready task with any is skipped too). */
  upstream_skipped: Generated<number>;
  current_attempt_id: string;
  updated_at: string;
}

/** Edge of a run's task graph: `task_index` waits for `upstream_index`. */
export interface TaskDepsTable {
  run_id: string;
  task_index: number;
  upstream_index: number;
}

/** One execution (or pending execution) of a task; the task queue claims these rows. */
export interface AttemptsTable {
  id: string;
  run_id: string;
  task_index: number;
  asset: string;
  partition_key: string | null;
  /** 1 for the first attempt of a task. */
  attempt: number;
  /** waiting, queued, running, succeeded, failed, canceled, skipped, upstream_failed or lost. */
  state: string;
  priority: number;
  pool: string | null;
  /** Epoch ms before which the attempt may not start (retry backoff). */
  not_before_ms: number;
  enqueued_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  worker_id: string | null;
  lease_expires_at_ms: number | null;
  /** OK, ERROR, OOM, TIMEOUT, KILLED, LOST, CANCELED, ... */
  exit_reason: string | null;
  error_message: string | null;
  error_code: string | null;
  wall_seconds: number | null;
  queue_seconds: number | null;
  cpu_user_seconds: number | null;
  cpu_system_seconds: number | null;
  peak_rss_bytes: number | null;
  rows_written: number | null;
  bytes_read: number | null;
  bytes_written: number | null;
  metadata_json: string | null;
  /** Log bookkeeping: next line number, bytes kept at the head and tail, lines and bytes dropped. */
  log_next_seq: Generated<number>;
  log_head_bytes: Generated<number>;
  log_tail_bytes: Generated<number>;
  log_marker_seq: number | null;
  log_omitted_lines: Generated<number>;
  log_omitted_bytes: Generated<number>;
}

/** A state change of a run or an attempt, with its time. */
export interface RunEventsTable {
  id: Generated<number>;
  run_id: string;
  /** run or attempt. */
  entity: string;
  attempt_id: string | null;
  task_index: number | null;
  from_state: string | null;
  to_state: string;
  at: string;
  message: string | null;
}

/** Captured output lines of an attempt (head and tail kept when large). */
export interface AttemptLogsTable {
  attempt_id: string;
  seq: number;
  ts: string;
  /** stdout, stderr, log or marker (the line that says what was omitted). */
  stream: string;
  level: string | null;
  line: string;
  bytes: number;
}

/** A backfill: assets over a partition range, submitted as runs in chunks. */
export interface BackfillsTable {
  id: string;
  /** JSON array of asset names. */
  assets_json: string;
  partition_from: string;
  partition_to: string;
  downstream: number;
  /** requested, running, succeeded, failed or canceled. */
  state: string;
  /** Tasks the backfill will run in total. */
  total: number;
  /** Tasks submitted so far: where a restarted launcher resumes. */
  submitted: number;
  tags_json: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** Latest materialization status of one partition, addressed by its stable index. */
export interface PartitionStatusTable {
  asset: string;
  partition_index: number;
  /** Compact code: 1 succeeded, 2 failed, 3 stale. */
  state: number;
  last_run_id: string | null;
  updated_at_ms: number;
}

/** Executor processes that claim attempts, with their heartbeats. */
export interface WorkersTable {
  id: string;
  host: string;
  pid: number;
  slots: number;
  heartbeat_at_ms: number;
  started_at: string;
}

/** One episode of an alert: a fingerprint firing until it resolves (migration 4). */
export interface AlertsTable {
  id: string;
  /** Hash of the rule and labels: the same condition on the same thing. */
  fingerprint: string;
  rule: string;
  /** Alerts of one group are notified together: rule and asset (or dataset, worker, ...). */
  group_key: string;
  /** JSON object of string labels (asset, check, worker, ...). */
  labels_json: string;
  /** firing or resolved. */
  state: string;
  /** info, warning or critical. */
  severity: string;
  summary: string;
  /** JSON object of what the rule measured (run id, error, lag, counts). */
  details_json: string;
  started_at_ms: number;
  updated_at_ms: number;
  resolved_at_ms: number | null;
  /** The state the last notification told (null: never notified). */
  notified_state: string | null;
  last_notified_at_ms: number | null;
}

/** One delivery of a group notification to one notifier, with its retries (migration 4). */
export interface AlertNotificationsTable {
  id: string;
  group_key: string;
  /** Notifier name: webhook, slack, email. */
  notifier: string;
  /** firing, resolved or test. */
  kind: string;
  /** JSON array of the alert fingerprints the notification carried. */
  fingerprints_json: string;
  /** sending, delivered or failed. */
  status: string;
  attempts: number;
  /** Last delivery error, when an attempt failed. */
  error: string | null;
  created_at_ms: number;
  sent_at_ms: number | null;
}

/** A silence: alerts whose labels match are not notified until it expires (migration 4). */
export interface AlertSilencesTable {
  id: string;
  /** JSON object label -> value or glob (`*` matches any run of characters). */
  matchers_json: string;
  reason: string;
  created_by: string;
  created_at_ms: number;
  expires_at_ms: number;
}
