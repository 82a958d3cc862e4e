/**
 * `asset({...})`: a lake dataset plus the code that materializes it (a TypeScript function, a
 * DuckDB SELECT or a shell command), its upstream assets, partitions, checks, retry policy and
 * resources. Options are validated here, eagerly, so a mistake fails where it is written.
 */
import type { DatasetSpec } from '../../lake/index.js';
import { definitionKindOf, DEFINITION, type Branded, type SourceLocation } from './brand.js';
import { callSite } from './call-site.js';
import type { AssetContext } from './asset-context.js';
import { normalizeChecks, type AssetCheck, type AssetCheckOptions } from './asset-checks.js';
import type { PartitionsDefinition } from '../partitions/index.js';
import { retryPolicy, type RetryOptions, type RetryPolicy } from './retry.js';
import { normalizeTask, type AssetTask } from './asset-task.js';
import {
  ASSET_NAME,
  invalid,
  optionalPositiveInt,
  optionalString,
  optionalTags,
  rejectUnknownKeys,
  requireObject,
  show,
} from './validate.js';

/** Resources an attempt may use; `memoryMb` is enforced, `cpus` informs scheduling. */
export interface AssetResources {
  /** Memory limit of the attempt's process, in MiB. */
  readonly memoryMb?: number;
  /** CPUs the attempt expects to keep busy (fractions allowed). */
  readonly cpus?: number;
}

/** Options shared by every kind of asset. */
export interface AssetOptionsBase {
  /** Unique name: lower-case letters, digits and _, starting with a letter. */
  name: string;
  /** Lake dataset the asset writes: a name or a full dataset definition (default: the asset name). */
  dataset?: string | DatasetSpec;
  /** Upstream assets, by name or by definition. */
  deps?: readonly (string | AssetDefinition)[];
  /** Partition key space; default unpartitioned. */
  partitions?: PartitionsDefinition;
  /** Quality checks run after each materialization. */
  checks?: readonly AssetCheckOptions[];
  /** Retry policy; default 3 attempts with exponential backoff. */
  retry?: RetryOptions;
  /** Kill an attempt that runs longer than this. */
  timeoutMs?: number;
  /** Memory and CPU of one attempt. */
  resources?: AssetResources;
  /** Concurrency pool that limits simultaneous attempts (e.g. 'krx-api' with 2 slots). */
  pool?: string;
  /** Free-form labels for filtering. */
  tags?: Record<string, string>;
  /** What the asset holds, shown in the UI. */
  description?: string;
}

/** The user's function that materializes a partition. */
export type AssetRunFunction = (ctx: AssetContext) => unknown;

/** `asset()` options: the base plus exactly one of `run`, `sql` or `command`. */
export type AssetOptions = AssetOptionsBase &
  (
    | { run: AssetRunFunction; sql?: never; command?: never }
    | { sql: string; run?: never; command?: never }
    | { command: string | readonly string[]; run?: never; sql?: never }
  );

/** A validated asset definition, as the loader and executor see it. */
export interface AssetDefinition extends Branded<'asset'> {
  /** Unique name. */
  readonly name: string;
  /** Name of the lake dataset it writes. */
  readonly dataset: string;
  /** Full dataset definition, when the asset gave one. */
  readonly datasetSpec: DatasetSpec | undefined;
  /** Names of upstream assets, without repeats. */
  readonly deps: readonly string[];
  /** Partition key space, or undefined when unpartitioned. */
  readonly partitions: PartitionsDefinition | undefined;
  /** What runs to materialize it. */
  readonly task: AssetTask;
  /** Quality checks. */
  readonly checks: readonly AssetCheck[];
  /** Retry policy with defaults applied. */
  readonly retry: RetryPolicy;
  /** Attempt time limit, when set. */
  readonly timeoutMs: number | undefined;
  /** Resource requests and limits. */
  readonly resources: AssetResources;
  /** Concurrency pool, when set. */
  readonly pool: string | undefined;
  /** Labels. */
  readonly tags: Readonly<Record<string, string>>;
  /** Description. */
  readonly description: string | undefined;
  /** Where `asset()` was called, when a stack trace told. */
  readonly source: SourceLocation | undefined;
}

const KEYS = [
  'name',
  'dataset',
  'deps',
  'partitions',
  'run',
  'sql',
  'command',
  'checks',
  'retry',
  'timeoutMs',
  'resources',
  'pool',
  'tags',
  'description',
] as const;
const POOL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

function normalizeDataset(
  what: string,
  name: string,
  value: unknown,
): [string, DatasetSpec | undefined] {
  if (value === undefined) return [name, undefined];
  const datasetName =
    typeof value === 'object' && value !== null ? (value as { name?: unknown }).name : value;
  if (typeof datasetName !== 'string' || !ASSET_NAME.test(datasetName)) {
    invalid(
      what,
      'dataset',
      `names ${show(datasetName)}`,
      'Dataset names use lower-case letters, digits and _, starting with a letter (at most 63 characters).',
    );
  }
  return typeof value === 'object' ? [datasetName, value as DatasetSpec] : [datasetName, undefined];
}

function normalizeDeps(what: string, value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) {
    invalid(
      what,
      'deps',
      `is ${show(value)}`,
      "Use an array of asset names or assets, e.g. deps: ['raw_bars'].",
    );
  }
  const names = value.map((dep: unknown, i: number) => {
    if (typeof dep === 'string' && dep !== '') return dep;
    if (definitionKindOf(dep) === 'asset') return (dep as AssetDefinition).name;
    return invalid(
      what,
      `deps[${i}]`,
      `is ${show(dep)}`,
      'Name an asset (a string) or pass the asset definition itself.',
    );
  });
  return Object.freeze([...new Set(names)]);
}

function normalizeResources(what: string, value: unknown): AssetResources {
  if (value === undefined) return Object.freeze({});
  const opts = requireObject(`${what} resources`, value, '{ memoryMb: 1024, cpus: 1 }');
  rejectUnknownKeys(`${what} resources`, opts, ['memoryMb', 'cpus']);
  const memoryMb = optionalPositiveInt(what, 'resources.memoryMb', opts['memoryMb'], '2048');
  const cpus = opts['cpus'];
  if (cpus !== undefined && (typeof cpus !== 'number' || !Number.isFinite(cpus) || cpus <= 0)) {
    invalid(
      what,
      'resources.cpus',
      `is ${show(cpus)}`,
      'Use a positive number of CPUs, e.g. cpus: 1 or cpus: 0.5.',
    );
  }
  return Object.freeze({
    ...(memoryMb === undefined ? {} : { memoryMb }),
    ...(cpus === undefined ? {} : { cpus: cpus }),
  });
}

/** Defines an asset: a dataset and how to materialize it. */
export function asset(options: AssetOptions): AssetDefinition {
  const opts = requireObject('asset()', options);
  const name = opts['name'];
  if (typeof name !== 'string' || !ASSET_NAME.test(name)) {
    invalid(
      'asset()',
      'name',
      `is ${show(name)}`,
      "Use lower-case letters, digits and _, starting with a letter (at most 63 characters), e.g. name: 'daily_bars'.",
    );
  }
  const what = `asset "${name}"`;
  rejectUnknownKeys(what, opts, KEYS);
  const [dataset, datasetSpec] = normalizeDataset(what, name, opts['dataset']);
  const partitions = opts['partitions'];
  if (partitions !== undefined && definitionKindOf(partitions) !== 'partitions') {
    invalid(
      what,
      'partitions',
      `is ${show(partitions)}`,
      "Use a partitions definition: sessions('XNYS', { start }), daily(...), monthly(...), staticPartitions([...]) or multiPartitions({...}).",
    );
  }
  const pool = optionalString(what, 'pool', opts['pool']);
  if (pool !== undefined && !POOL_NAME.test(pool)) {
    invalid(
      what,
      'pool',
      `is ${show(pool)}`,
      "Use letters, digits, '_', '.' and '-', e.g. pool: 'krx-api'.",
    );
  }
  const definition: AssetDefinition = {
    kind: 'asset',
    [DEFINITION]: 'asset',
    name,
    dataset,
    datasetSpec,
    deps: normalizeDeps(what, opts['deps']),
    partitions: partitions as PartitionsDefinition | undefined,
    task: normalizeTask(what, opts),
    checks: normalizeChecks(what, opts['checks']),
    retry: retryPolicy(opts['retry'] as RetryOptions | undefined, what),
    timeoutMs: optionalPositiveInt(what, 'timeoutMs', opts['timeoutMs'], '600000 (10 minutes)'),
    resources: normalizeResources(what, opts['resources']),
    pool,
    tags: optionalTags(what, opts['tags']),
    description: optionalString(what, 'description', opts['description']),
    source: callSite(),
  };
  return Object.freeze(definition);
}
