/**
 * Sensors: `sensor({ name, every, check })` polls user code that decides what to run, and
 * `inbox(dir, { pattern, select })` is the built-in file-drop sensor. This file holds the
 * definitions; the sensor runtime polls them.
 */
import { definitionKindOf, DEFINITION, type Branded, type SourceLocation } from './brand.js';
import { callSite } from './call-site.js';
import { globToRegExp } from './glob.js';
import { normalizeSelection, type AssetSelection } from './schedule.js';
import {
  DEFINITION_NAME,
  invalid,
  optionalString,
  optionalTags,
  rejectUnknownKeys,
  requireDurationMs,
  requireObject,
  show,
} from './validate.js';

/** A request to run assets, returned by a sensor's check. */
export interface RunRequest {
  /** Assets to run (default: the sensor's `select`). */
  assets?: readonly string[];
  /** Partition key to run, for partitioned assets. */
  partition?: string;
  /** Deduplication key: a request with a key already submitted by this sensor is ignored. */
  runKey?: string;
  /** Labels attached to the run. */
  tags?: Record<string, string>;
}

/** What a check sees on each poll. */
export interface SensorContext {
  /** The sensor's name. */
  readonly sensor: string;
  /** The cursor the previous poll returned, if any. */
  readonly cursor: string | undefined;
  /** The current instant (UTC epoch ms). */
  readonly now: number;
  /** Aborted when the poll times out or the platform stops. */
  readonly signal: AbortSignal;
}

/** What a check returns: nothing to do, requests, or requests plus a new cursor. */
export type SensorResult =
  void | undefined | readonly RunRequest[] | { runs?: readonly RunRequest[]; cursor?: string };

/** Options of `sensor()`. */
export interface SensorOptions {
  /** Unique name. */
  name: string;
  /** Poll interval: milliseconds or text such as '30s', '5m'. */
  every: number | string;
  /** Decides what to run. */
  check: (ctx: SensorContext) => SensorResult | Promise<SensorResult>;
  /** Assets requests run by default. */
  select?: AssetSelection;
  /** What the sensor watches. */
  description?: string;
  /** Free-form labels. */
  tags?: Record<string, string>;
}

/** Options of `inbox()`. */
export interface InboxOptions {
  /** File names to pick up: a glob ('*.csv', 'bars_{krx,nyse}_*.parquet') or a RegExp. */
  pattern: string | RegExp;
  /** Assets each file is handed to (`ctx` sees the file path). */
  select: AssetSelection;
  /** A file counts as complete once its size and mtime are unchanged this long (default 5 s; ms or '5s'). */
  stableMs?: number | string;
  /** Poll interval (default '10s'). */
  every?: number | string;
  /** Unique name (default `inbox:<dir>`). */
  name?: string;
  /** Where processed files go (default `<dir>/archive`). */
  archiveDir?: string;
  /** Where failed files go, with the error beside them (default `<dir>/failed`). */
  failedDir?: string;
  /** What arrives in this folder. */
  description?: string;
}

/** Fields every sensor definition has. */
interface SensorBase extends Branded<'sensor'> {
  /** Unique name. */
  readonly name: string;
  /** Poll interval. */
  readonly everyMs: number;
  /** Default asset selection (may be empty for custom sensors naming assets per request). */
  readonly select: readonly string[];
  /** Description. */
  readonly description: string | undefined;
  /** Labels. */
  readonly tags: Readonly<Record<string, string>>;
  /** Where the sensor was defined. */
  readonly source: SourceLocation | undefined;
}

/** A validated custom sensor. */
export interface CustomSensorDefinition extends SensorBase {
  /** Discriminator. */
  readonly type: 'custom';
  /** The user's check. */
  readonly check: SensorOptions['check'];
}

/** A validated file-drop sensor. */
export interface InboxSensorDefinition extends SensorBase {
  /** Discriminator. */
  readonly type: 'inbox';
  /** Watched folder (relative paths resolve against the project folder). */
  readonly dir: string;
  /** Pattern of file names, as written. */
  readonly pattern: string | RegExp;
  /** Compiled pattern matched against file names. */
  readonly matcher: RegExp;
  /** Quiet time before a file counts as complete. */
  readonly stableMs: number;
  /** Archive folder. */
  readonly archiveDir: string;
  /** Failed-files folder. */
  readonly failedDir: string;
}

/** Any sensor definition. */
export type SensorDefinition = CustomSensorDefinition | InboxSensorDefinition;

function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string' || !DEFINITION_NAME.test(name)) {
    invalid(
      what,
      'name',
      `is ${show(name)}`,
      "Use letters, digits and _ . : @ / -, starting with a letter or digit, e.g. name: 'krx_file_drop'.",
    );
  }
  return name;
}

/** Defines a sensor: `check` is called every `every` and returns run requests. */
export function sensor(options: SensorOptions): CustomSensorDefinition {
  const opts = requireObject('sensor()', options);
  const name = checkName('sensor()', opts['name']);
  const what = `sensor "${name}"`;
  rejectUnknownKeys(what, opts, ['name', 'every', 'check', 'select', 'description', 'tags']);
  if (typeof opts['check'] !== 'function') {
    invalid(
      what,
      'check',
      `is ${show(opts['check'])}`,
      'Use a function: check: async (ctx) => [{ partition: ... }].',
    );
  }
  const definition: CustomSensorDefinition = {
    kind: 'sensor',
    [DEFINITION]: 'sensor',
    type: 'custom',
    name,
    everyMs: requireDurationMs(what, 'every', opts['every']),
    check: opts['check'] as SensorOptions['check'],
    select:
      opts['select'] === undefined ? Object.freeze([]) : normalizeSelection(what, opts['select']),
    description: optionalString(what, 'description', opts['description']),
    tags: optionalTags(what, opts['tags']),
    source: callSite(),
  };
  return Object.freeze(definition);
}

/** Defines a file-drop sensor on folder `dir`: each stable file matching `pattern` runs `select`. */
export function inbox(dir: string, options: InboxOptions): InboxSensorDefinition {
  if (typeof dir !== 'string' || dir.trim() === '') {
    invalid(
      'inbox()',
      'dir',
      `is ${show(dir)}`,
      "Give the folder to watch, e.g. inbox('inbox/krx', { pattern: '*.csv', select: 'krx_bars' }).",
    );
  }
  const opts = requireObject(
    `inbox("${dir}")`,
    options,
    "{ pattern: '*.csv', select: 'asset_name' }",
  );
  // The default name holds the folder path as written, so only a given name is checked.
  const name =
    opts['name'] === undefined ? `inbox:${dir}` : checkName(`inbox("${dir}")`, opts['name']);
  const what = `inbox "${name}"`;
  rejectUnknownKeys(what, opts, [
    'pattern',
    'select',
    'stableMs',
    'every',
    'name',
    'archiveDir',
    'failedDir',
    'description',
  ]);
  const pattern = opts['pattern'];
  let matcher: RegExp;
  if (pattern instanceof RegExp) matcher = pattern;
  else if (typeof pattern === 'string' && pattern.trim() !== '') matcher = globToRegExp(pattern);
  else invalid(what, 'pattern', `is ${show(pattern)}`, "Use a glob such as '*.csv' or a RegExp.");
  if (opts['select'] === undefined)
    invalid(
      what,
      'select',
      'is missing',
      "Name the asset each file is handed to, e.g. select: 'krx_bars'.",
    );
  const stableMs =
    opts['stableMs'] === undefined ? 5_000 : requireDurationMs(what, 'stableMs', opts['stableMs']);
  const definition: InboxSensorDefinition = {
    kind: 'sensor',
    [DEFINITION]: 'sensor',
    type: 'inbox',
    name,
    dir,
    pattern: pattern,
    matcher,
    stableMs,
    everyMs: opts['every'] === undefined ? 10_000 : requireDurationMs(what, 'every', opts['every']),
    select: normalizeSelection(what, opts['select']),
    archiveDir:
      optionalString(what, 'archiveDir', opts['archiveDir']) ??
      `${dir.replace(/\/+$/, '')}/archive`,
    failedDir:
      optionalString(what, 'failedDir', opts['failedDir']) ?? `${dir.replace(/\/+$/, '')}/failed`,
    description: optionalString(what, 'description', opts['description']),
    tags: Object.freeze({}),
    source: callSite(),
  };
  return Object.freeze(definition);
}

/** True for sensors of either type (made by any copy of the SDK). */
export function isSensor(value: unknown): value is SensorDefinition {
  return definitionKindOf(value) === 'sensor';
}
