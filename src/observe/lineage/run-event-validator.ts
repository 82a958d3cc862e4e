/**
 * A validator of OpenLineage run events, written from the 2-0-2 JSON schema (RunEvent, Run, Job,
 * InputDataset, OutputDataset, BaseFacet) and the facet schemas marketlake emits (schema,
 * outputStatistics, dataQualityAssertions, parent, errorMessage, processing_engine, jobType,
 * documentation). Required fields, types and formats (date-time, uri, uuid) are checked; unknown
 * facets must still be base facets. Runs with no network and no schema download.
 */
import { ObserveLineageEventInvalidError } from '../errors.js';
import { RUN_EVENT_TYPES } from './openlineage-spec.js';

type Obj = Record<string, unknown>;
type Check = (value: Obj, path: string, problems: string[]) => void;

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function field(
  o: Obj,
  key: string,
  path: string,
  problems: string[],
  kind: 'string' | 'boolean' | 'integer' | 'date-time' | 'uri' | 'uuid' | 'object' | 'array',
  required: boolean,
): void {
  const v = o[key];
  const at = `${path}.${key}`;
  if (v === undefined) {
    if (required) problems.push(`${at} is required`);
    return;
  }
  const ok =
    kind === 'object'
      ? isObj(v)
      : kind === 'array'
        ? Array.isArray(v)
        : kind === 'boolean'
          ? typeof v === 'boolean'
          : kind === 'integer'
            ? Number.isInteger(v)
            : typeof v === 'string' &&
              (kind === 'string' ||
                (kind === 'date-time' && DATE_TIME.test(v) && !Number.isNaN(Date.parse(v))) ||
                (kind === 'uri' && URI.test(v)) ||
                (kind === 'uuid' && UUID.test(v)));
  if (!ok)
    problems.push(
      `${at} must be ${kind === 'integer' ? 'an' : 'a'} ${kind}, got ${JSON.stringify(v)}`,
    );
}

function baseFacet(f: Obj, path: string, problems: string[], dataset: boolean): void {
  field(f, '_producer', path, problems, 'uri', true);
  field(f, '_schemaURL', path, problems, 'uri', true);
  if (dataset || f['_deleted'] !== undefined)
    field(f, '_deleted', path, problems, 'boolean', false);
}

function schemaFields(list: unknown[], path: string, problems: string[]): void {
  list.forEach((item, i) => {
    const at = `${path}[${i}]`;
    if (!isObj(item)) return void problems.push(`${at} must be an object`);
    field(item, 'name', at, problems, 'string', true);
    field(item, 'type', at, problems, 'string', false);
    field(item, 'description', at, problems, 'string', false);
    field(item, 'fields', at, problems, 'array', false);
    if (Array.isArray(item['fields'])) schemaFields(item['fields'], `${at}.fields`, problems);
  });
}

/** Body checks of the facets whose schemas marketlake knows, by facet name. */
const KNOWN_FACETS: Record<string, Check> = {
  schema: (f, path, problems) => {
    field(f, 'fields', path, problems, 'array', false);
    if (Array.isArray(f['fields'])) schemaFields(f['fields'], `${path}.fields`, problems);
  },
  outputStatistics: (f, path, problems) => {
    field(f, 'rowCount', path, problems, 'integer', true);
    field(f, 'size', path, problems, 'integer', false);
    field(f, 'fileCount', path, problems, 'integer', false);
  },
  dataQualityAssertions: (f, path, problems) => {
    field(f, 'assertions', path, problems, 'array', true);
    const list = Array.isArray(f['assertions']) ? f['assertions'] : [];
    list.forEach((a, i) => {
      const at = `${path}.assertions[${i}]`;
      if (!isObj(a)) return void problems.push(`${at} must be an object`);
      field(a, 'assertion', at, problems, 'string', true);
      field(a, 'success', at, problems, 'boolean', true);
      field(a, 'column', at, problems, 'string', false);
    });
  },
  parent: (f, path, problems) => {
    field(f, 'run', path, problems, 'object', true);
    field(f, 'job', path, problems, 'object', true);
    if (isObj(f['run'])) field(f['run'], 'runId', `${path}.run`, problems, 'uuid', true);
    if (isObj(f['job'])) {
      field(f['job'], 'namespace', `${path}.job`, problems, 'string', true);
      field(f['job'], 'name', `${path}.job`, problems, 'string', true);
    }
  },
  errorMessage: (f, path, problems) => {
    field(f, 'message', path, problems, 'string', true);
    field(f, 'programmingLanguage', path, problems, 'string', true);
    field(f, 'stackTrace', path, problems, 'string', false);
  },
  processing_engine: (f, path, problems) => {
    field(f, 'version', path, problems, 'string', true);
    field(f, 'name', path, problems, 'string', false);
  },
  jobType: (f, path, problems) => {
    field(f, 'processingType', path, problems, 'string', true);
    field(f, 'integration', path, problems, 'string', true);
    field(f, 'jobType', path, problems, 'string', false);
  },
  documentation: (f, path, problems) => field(f, 'description', path, problems, 'string', true),
};

function facets(o: Obj, key: string, path: string, problems: string[], dataset: boolean): void {
  field(o, key, path, problems, 'object', false);
  const all = o[key];
  if (!isObj(all)) return;
  for (const [name, f] of Object.entries(all)) {
    const at = `${path}.${key}.${name}`;
    if (!isObj(f)) {
      problems.push(`${at} must be an object`);
      continue;
    }
    baseFacet(f, at, problems, dataset);
    KNOWN_FACETS[name]?.(f, at, problems);
  }
}

function datasets(event: Obj, key: 'inputs' | 'outputs', problems: string[]): void {
  field(event, key, '$', problems, 'array', false);
  const list = event[key];
  if (!Array.isArray(list)) return;
  list.forEach((d, i) => {
    const at = `$.${key}[${i}]`;
    if (!isObj(d)) return void problems.push(`${at} must be an object`);
    field(d, 'namespace', at, problems, 'string', true);
    field(d, 'name', at, problems, 'string', true);
    facets(d, 'facets', at, problems, true);
    facets(d, key === 'inputs' ? 'inputFacets' : 'outputFacets', at, problems, false);
  });
}

/** Problems of `event` against the OpenLineage 2-0-2 RunEvent schema (empty when valid). */
export function validateRunEvent(event: unknown): string[] {
  const problems: string[] = [];
  if (!isObj(event)) return ['$ must be an object'];
  field(event, 'eventTime', '$', problems, 'date-time', true);
  field(event, 'producer', '$', problems, 'uri', true);
  field(event, 'schemaURL', '$', problems, 'uri', true);
  const type = event['eventType'];
  if (type !== undefined && !RUN_EVENT_TYPES.includes(type as never))
    problems.push(
      `$.eventType must be one of ${RUN_EVENT_TYPES.join(', ')}, got ${JSON.stringify(type)}`,
    );
  field(event, 'run', '$', problems, 'object', true);
  const run = event['run'];
  if (isObj(run)) {
    field(run, 'runId', '$.run', problems, 'uuid', true);
    facets(run, 'facets', '$.run', problems, false);
  }
  field(event, 'job', '$', problems, 'object', true);
  const job = event['job'];
  if (isObj(job)) {
    field(job, 'namespace', '$.job', problems, 'string', true);
    field(job, 'name', '$.job', problems, 'string', true);
    facets(job, 'facets', '$.job', problems, true);
  }
  datasets(event, 'inputs', problems);
  datasets(event, 'outputs', problems);
  return problems;
}

/** Throws `ObserveLineageEventInvalidError` listing the problems of an invalid event. */
export function assertValidRunEvent(event: unknown): void {
  const problems = validateRunEvent(event);
  if (problems.length > 0)
    throw new ObserveLineageEventInvalidError(
      `The OpenLineage event breaks the 2-0-2 spec: ${problems.join('; ')}.`,
      { details: { problems } },
    );
}
