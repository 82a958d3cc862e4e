/**
 * `schedule({...})`: run a selection of assets on a cron in an IANA time zone, optionally only on
 * the trading sessions of an exchange calendar.
 */
import { getCalendar } from '../../market/index.js';
import { validateCron } from '../schedules/cron.js';
import { definitionKindOf, DEFINITION, type Branded, type SourceLocation } from './brand.js';
import { callSite } from './call-site.js';
import type { AssetDefinition } from './asset.js';
import {
  DEFINITION_NAME,
  optionalPositiveInt,
  invalid,
  optionalString,
  optionalTags,
  rejectUnknownKeys,
  requireObject,
  requireTimeZone,
  show,
} from './validate.js';

/** What to do with ticks that passed while the scheduler was not running. */
export type CatchUpPolicy = 'once' | 'all' | 'none';

/** Which partition of a partitioned asset a tick runs. */
export type SchedulePartitionMode = 'current' | 'previous';

/** Assets a schedule or sensor runs: names (a `*` matches any characters) or definitions. */
export type AssetSelection = string | AssetDefinition | readonly (string | AssetDefinition)[];

/** Options of `schedule()`. */
export interface ScheduleOptions {
  /** Unique name (default: derived from the selection and the cron). */
  name?: string;
  /** Cron expression, 5 fields or 6 with seconds first. */
  cron: string;
  /** IANA time zone of the cron (default: the calendar's, when `calendar` is given). */
  timezone?: string;
  /** Exchange calendar: fire only when the tick's date there is a trading session. */
  calendar?: string;
  /** Assets to run. */
  select: AssetSelection;
  /** Partition a tick runs: the one the tick falls in ('current', default) or the one before. */
  partitions?: SchedulePartitionMode;
  /** Missed ticks: run the latest once (default), all of them, or none. */
  catchUp?: CatchUpPolicy;
  /** Skip a tick while this many runs of the schedule are still queued or running (default: no limit). */
  maxActiveRuns?: number;
  /** What the schedule is for. */
  description?: string;
  /** Free-form labels. */
  tags?: Record<string, string>;
}

/** A validated schedule. */
export interface ScheduleDefinition extends Branded<'schedule'> {
  /** Unique name. */
  readonly name: string;
  /** Cron expression. */
  readonly cron: string;
  /** IANA time zone of the cron. */
  readonly timezone: string;
  /** Canonical calendar name, when the schedule follows one. */
  readonly calendar: string | undefined;
  /** Selected asset names or patterns. */
  readonly select: readonly string[];
  /** Partition a tick runs. */
  readonly partitions: SchedulePartitionMode;
  /** Missed-tick policy. */
  readonly catchUp: CatchUpPolicy;
  /** Runs of the schedule allowed to be active at once; undefined for no limit. */
  readonly maxActiveRuns: number | undefined;
  /** Description. */
  readonly description: string | undefined;
  /** Labels. */
  readonly tags: Readonly<Record<string, string>>;
  /** Where `schedule()` was called. */
  readonly source: SourceLocation | undefined;
}

const KEYS = [
  'name',
  'cron',
  'timezone',
  'calendar',
  'select',
  'partitions',
  'catchUp',
  'maxActiveRuns',
  'description',
  'tags',
] as const;

/** Normalizes a selection to a list of asset names or patterns. */
export function normalizeSelection(what: string, value: unknown): readonly string[] {
  const items = Array.isArray(value) ? (value as unknown[]) : [value];
  if (items.length === 0)
    invalid(what, 'select', 'is empty', "Name at least one asset, e.g. select: ['daily_bars'].");
  const names = items.map((item, i) => {
    if (typeof item === 'string' && item.trim() !== '') return item.trim();
    if (definitionKindOf(item) === 'asset') return (item as AssetDefinition).name;
    return invalid(
      what,
      Array.isArray(value) ? `select[${i}]` : 'select',
      `is ${show(item)}`,
      "Name assets (strings, '*' as a wildcard) or pass asset definitions.",
    );
  });
  return Object.freeze([...new Set(names)]);
}

function pick<T extends string>(
  what: string,
  field: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    invalid(
      what,
      field,
      `is ${show(value)}`,
      `Use one of ${allowed.map((a) => `'${a}'`).join(', ')}.`,
    );
  }
  return value as T;
}

/** Defines a schedule: run `select` on `cron` in `timezone`, optionally only on trading sessions. */
export function schedule(options: ScheduleOptions): ScheduleDefinition {
  const opts = requireObject('schedule()', options);
  const provisional =
    typeof opts['name'] === 'string' ? opts['name'] : `on cron ${String(opts['cron'])}`;
  let what = `schedule "${provisional}"`;
  rejectUnknownKeys(what, opts, KEYS);
  const select = normalizeSelection(what, opts['select']);
  let calendar: string | undefined;
  let calendarZone: string | undefined;
  if (opts['calendar'] !== undefined) {
    try {
      const found = getCalendar(opts['calendar'] as string);
      calendar = found.name;
      calendarZone = found.timezone;
    } catch (error) {
      invalid(
        what,
        'calendar',
        `is not known (${(error as Error).message})`,
        "Use one of 'XNYS', 'XNAS', 'XKRX', 'CRYPTO', 'FX'.",
      );
    }
  }
  const timezone =
    opts['timezone'] === undefined && calendarZone !== undefined
      ? calendarZone
      : requireTimeZone(what, 'timezone', opts['timezone']);
  const given = optionalString(what, 'name', opts['name']);
  // A derived name holds whatever the cron holds ('L', '#', '?'), so only given names are checked.
  const name = given ?? `${select.join(',')}@${String(opts['cron'])}`;
  if (given !== undefined && !DEFINITION_NAME.test(given)) {
    invalid(
      what,
      'name',
      `is ${show(name)}`,
      'Use letters, digits, spaces and _ . : @ / - , + *, starting with a letter or digit.',
    );
  }
  what = `schedule "${name}"`;
  const cron = validateCron(name, opts['cron'], timezone);
  const definition: ScheduleDefinition = {
    kind: 'schedule',
    [DEFINITION]: 'schedule',
    name,
    cron,
    timezone,
    calendar,
    select,
    partitions: pick(what, 'partitions', opts['partitions'], ['current', 'previous'], 'current'),
    catchUp: pick(what, 'catchUp', opts['catchUp'], ['once', 'all', 'none'], 'once'),
    maxActiveRuns: optionalPositiveInt(what, 'maxActiveRuns', opts['maxActiveRuns'], '1'),
    description: optionalString(what, 'description', opts['description']),
    tags: optionalTags(what, opts['tags']),
    source: callSite(),
  };
  return Object.freeze(definition);
}
