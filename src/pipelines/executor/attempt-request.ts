/**
 * What a caller asks the executor to run, and its validation into what the pool and the worker
 * need (ids, times, limits, the worker's message). Bad requests are programming errors of the
 * caller and are thrown from `execute` at once.
 */
import path from 'node:path';
import { newSortableId } from '../../core/index.js';
import { PipelinesAttemptInvalidError } from '../errors.js';
import type { AssetDefinition, AssetResources } from '../sdk/asset.js';
import type { AttemptLogLine } from './attempt-result.js';
import type { TaskSpec, WorkerAttempt } from './worker-protocol.js';

/** Told when an attempt starts on a worker. */
export interface AttemptStartEvent {
  /** Attempt id. */
  readonly attemptId: string;
  /** When the worker received it. */
  readonly startedAt: Date;
  /** The worker's pid. */
  readonly workerPid: number;
}

/** Fields every attempt request has. */
export interface AttemptRequestBase {
  /** Attempt id (default: a new sortable id). */
  attemptId?: string;
  /** Run the attempt belongs to. */
  runId: string;
  /** Asset name. */
  asset: string;
  /** Attempt number, 1 for the first (default 1). */
  attempt?: number;
  /** Partition key; undefined for an unpartitioned asset. */
  partition?: string;
  /** Parts of a multi-dimensional key by dimension name. */
  partitionParts?: Record<string, string>;
  /** The file an inbox sensor handed to the run (`ctx.file`, MARKETLAKE_INPUT_FILE). */
  inputFile?: string;
  /** Root folder of the lake, given to the task (`MARKETLAKE_LAKE_PATH`, the lake factory). */
  lakePath?: string;
  /** Kill the attempt after this long (TIMEOUT). */
  timeoutMs?: number;
  /** Limits; `memoryMb` is enforced (OOM). */
  resources?: AssetResources;
  /** When the attempt was queued by the caller, for queue time (default: now). */
  enqueuedAt?: Date | number;
  /** Higher runs first among queued attempts (default 0; backfills use less). */
  priority?: number;
  /** Secrets by name: `ctx.secret(name)`, and MARKETLAKE_SECRET_<NAME> for commands. */
  secrets?: Record<string, string>;
  /** Receives each log line of this attempt as it arrives. */
  onLog?: (line: AttemptLogLine) => void;
  /** Told when the attempt starts on a worker. */
  onStart?: (event: AttemptStartEvent) => void;
}

/** Run an asset's TypeScript `run(ctx)`. */
export interface RunAttemptRequest extends AttemptRequestBase {
  /** Discriminator. */
  kind: 'run';
  /** Project folder. */
  projectDir: string;
  /** Pipeline file exporting the asset (absolute or relative to the project); default: search. */
  file?: string;
  /** Token that changes when the project is reloaded; workers re-import files when it changes. */
  codeVersion?: string;
}

/** Run a shell command (string) or a program with arguments (array). */
export interface CommandAttemptRequest extends AttemptRequestBase {
  /** Discriminator. */
  kind: 'command';
  /** Command line run by `sh -c`, or argv run without a shell. */
  command: string | readonly string[];
  /** Working folder (default: the current folder). */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Run an asset's DuckDB SELECT and write its result to `dataset` (needs a lake factory). */
export interface SqlAttemptRequest extends AttemptRequestBase {
  /** Discriminator. */
  kind: 'sql';
  /** The SELECT; `{{partition}}` is replaced by the partition key. */
  sql: string;
  /** Dataset the result is written to. */
  dataset: string;
}

/** Anything the executor can run. */
export type AttemptRequest = RunAttemptRequest | CommandAttemptRequest | SqlAttemptRequest;

/** A request after validation and defaults. */
export interface PreparedAttempt {
  /** The caller's request. */
  readonly request: AttemptRequest;
  /** Attempt id. */
  readonly attemptId: string;
  /** Queue time origin, ms since the epoch. */
  readonly enqueuedAtMs: number;
  /** Time limit, when set. */
  readonly timeoutMs: number | undefined;
  /** Memory limit in MiB, when set. */
  readonly memoryMb: number | undefined;
  /** JavaScript heap limit the worker must be started with (run tasks with a memory limit). */
  readonly heapLimitMb: number | undefined;
  /** Queue priority. */
  readonly priority: number;
  /** The worker's message. */
  readonly worker: WorkerAttempt;
}

function fail(field: string, problem: string, fix: string): never {
  throw new PipelinesAttemptInvalidError(`Attempt request: ${field} ${problem}. ${fix}`, {
    details: { field },
  });
}

function positiveInt(field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) <= 0)
    fail(field, `is ${JSON.stringify(value)}`, 'Use a whole number above 0.');
  return value as number;
}

function nonEmpty(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    fail(field, 'is missing or empty', 'Give a non-empty string.');
  return value;
}

/** Environment name of a secret for commands: MARKETLAKE_SECRET_ plus the name in upper snake case. */
export function secretEnvName(name: string): string {
  return `MARKETLAKE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function commandSpec(request: CommandAttemptRequest, attempt: number): TaskSpec {
  const { command } = request;
  const valid =
    (typeof command === 'string' && command.trim() !== '') ||
    (Array.isArray(command) && command.length > 0 && command.every((a) => typeof a === 'string'));
  if (!valid) fail('command', 'is empty or not a string/argv', "Use e.g. 'python load.py'.");
  const env: Record<string, string> = {
    MARKETLAKE_RUN_ID: request.runId,
    MARKETLAKE_ASSET: request.asset,
    MARKETLAKE_ATTEMPT: String(attempt),
    MARKETLAKE_PARTITION: request.partition ?? '',
    MARKETLAKE_LAKE_PATH: request.lakePath ?? '',
    MARKETLAKE_INPUT_FILE: request.inputFile ?? '',
  };
  for (const [name, value] of Object.entries(request.secrets ?? {}))
    env[secretEnvName(name)] = value;
  Object.assign(env, request.env);
  return { kind: 'command', command, cwd: path.resolve(request.cwd ?? '.'), env };
}

function runSpec(request: RunAttemptRequest): TaskSpec {
  const projectDir = path.resolve(nonEmpty('projectDir', request.projectDir));
  const file = request.file === undefined ? undefined : path.resolve(projectDir, request.file);
  return { kind: 'run', projectDir, file, codeVersion: request.codeVersion };
}

/** Validates `request` and applies defaults; throws PipelinesAttemptInvalidError. */
export function prepareAttempt(request: AttemptRequest, nowMs = Date.now()): PreparedAttempt {
  const kind = (request as { kind?: unknown }).kind;
  if (kind !== 'run' && kind !== 'command' && kind !== 'sql')
    fail('kind', `is ${JSON.stringify(kind)}`, "Use 'run', 'command' or 'sql'.");
  nonEmpty('runId', request.runId);
  nonEmpty('asset', request.asset);
  const attempt = positiveInt('attempt', request.attempt) ?? 1;
  const memoryMb = positiveInt('resources.memoryMb', request.resources?.memoryMb);
  const enqueued = request.enqueuedAt;
  const enqueuedAtMs = enqueued instanceof Date ? enqueued.getTime() : (enqueued ?? nowMs);
  if (!Number.isFinite(enqueuedAtMs))
    fail('enqueuedAt', 'is not a valid time', 'Pass a Date or milliseconds since the epoch.');
  const attemptId = request.attemptId ?? newSortableId('att_');
  const task: TaskSpec =
    request.kind === 'run'
      ? runSpec(request)
      : request.kind === 'sql'
        ? {
            kind: 'sql',
            sql: nonEmpty('sql', request.sql),
            dataset: nonEmpty('dataset', request.dataset),
          }
        : commandSpec(request, attempt);
  return {
    request,
    attemptId,
    enqueuedAtMs,
    timeoutMs: positiveInt('timeoutMs', request.timeoutMs),
    memoryMb,
    heapLimitMb: request.kind === 'command' ? undefined : memoryMb,
    priority: request.priority ?? 0,
    worker: {
      attemptId,
      runId: request.runId,
      asset: request.asset,
      attempt,
      partition: request.partition,
      partitionParts: request.partitionParts,
      inputFile: request.inputFile,
      lakePath: request.lakePath,
      secrets: { ...request.secrets },
      task,
    },
  };
}

/** Where the project lives, for `attemptRequestFor`. */
export interface AssetLocation {
  /** Project folder. */
  readonly projectDir: string;
  /** Pipeline file exporting the asset, when known (`LoadedProject.locations`). */
  readonly file?: string;
}

/**
 * A request for one attempt of `asset`: its task kind, timeout and resources, plus `fields`
 * (run id, partition, ...). Commands run in the project folder.
 */
export function attemptRequestFor(
  asset: AssetDefinition,
  where: AssetLocation,
  fields: Omit<AttemptRequestBase, 'asset'>,
): AttemptRequest {
  const base: AttemptRequestBase = {
    timeoutMs: asset.timeoutMs,
    resources: asset.resources,
    ...fields,
    asset: asset.name,
  };
  const { task } = asset;
  if (task.type === 'run') return { ...base, kind: 'run', ...where };
  if (task.type === 'command')
    return { ...base, kind: 'command', command: task.command, cwd: where.projectDir };
  return { ...base, kind: 'sql', sql: task.sql, dataset: asset.dataset };
}
