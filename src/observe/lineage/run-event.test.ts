import { describe, expect, it } from 'vitest';
import { ObserveLineageEventInvalidError } from '../errors.js';
import { RUN_EVENT_TYPES, uuidOfId, type RunEvent } from './openlineage-spec.js';
import { buildRunEvent, type LineageAttempt } from './run-event.js';
import { assertValidRunEvent, validateRunEvent } from './run-event-validator.js';

const T = new Date('2024-03-15T21:30:00.000Z');

const attempt: LineageAttempt = {
  attemptId: 'att_01',
  runId: 'run_01',
  runJob: 'nightly',
  asset: 'daily_returns',
  description: 'Close-to-close returns',
  inputs: [
    {
      name: 'bars_1d',
      fields: [
        { name: 'symbol', type: 'VARCHAR' },
        { name: 'close', type: 'DOUBLE', description: 'Last trade' },
      ],
    },
    { name: 'unregistered' },
  ],
  output: {
    name: 'daily_returns',
    fields: [
      { name: 'symbol', type: 'VARCHAR' },
      { name: 'ret', type: 'DOUBLE' },
    ],
    rowCount: 1234,
    bytes: 56_789,
    assertions: [
      { assertion: 'no_nulls', success: true, column: 'ret', severity: 'error' },
      { assertion: 'row_count', success: false, severity: 'warn' },
    ],
  },
};

const DELETE = Symbol('delete');
type Node = Record<string | number, unknown>;

/** A deep copy of `event` with the value at `at` replaced (or deleted), for negative cases. */
function broken(event: RunEvent, at: readonly (string | number)[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(event)) as Node;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Node;
  const last = at[at.length - 1] as string | number;
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return copy;
}

describe('OpenLineage run events', () => {
  it('derive stable version-5 UUIDs from marketlake ids', () => {
    const id = uuidOfId('att_01');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidOfId('att_01')).toBe(id);
    expect(uuidOfId('att_02')).not.toBe(id);
  });

  it.each(['START', 'COMPLETE', 'FAIL', 'ABORT'] as const)(
    'builds a %s event that passes the 2-0-2 schema',
    (type) => {
      const withError =
        type === 'FAIL' || type === 'ABORT'
          ? { ...attempt, error: { message: 'boom', stackTrace: 'Error: boom\n  at x' } }
          : attempt;
      const event = buildRunEvent(type, T, withError, { namespace: 'prod' });
      expect(validateRunEvent(event)).toEqual([]);
      expect(() => assertValidRunEvent(event)).not.toThrow();
      expect(event).toMatchObject({
        eventType: type,
        eventTime: '2024-03-15T21:30:00.000Z',
        schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
        run: { runId: uuidOfId('att_01') },
        job: { namespace: 'prod', name: 'daily_returns' },
      });
      expect(event.producer).toMatch(/^urn:marketlake:\d/);
      expect(event.run.facets?.['parent']).toMatchObject({
        run: { runId: uuidOfId('run_01') },
        job: { namespace: 'prod', name: 'nightly' },
      });
      expect(event.job.facets?.['jobType']).toMatchObject({ integration: 'MARKETLAKE' });
      expect(event.job.facets?.['documentation']).toMatchObject({
        description: 'Close-to-close returns',
      });
      if (withError !== attempt)
        expect(event.run.facets?.['errorMessage']).toMatchObject({
          message: 'boom',
          programmingLanguage: 'TypeScript',
        });
      else expect(event.run.facets?.['errorMessage']).toBeUndefined();
    },
  );

  it('carries inputs and the output with schema, statistics and assertions', () => {
    const event = buildRunEvent('COMPLETE', T, attempt);
    expect(event.inputs).toEqual([
      {
        namespace: 'marketlake',
        name: 'bars_1d',
        facets: {
          schema: {
            _producer: event.producer,
            _schemaURL:
              'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
            fields: [
              { name: 'symbol', type: 'VARCHAR' },
              { name: 'close', type: 'DOUBLE', description: 'Last trade' },
            ],
          },
        },
      },
      { namespace: 'marketlake', name: 'unregistered' },
    ]);
    const [out] = event.outputs;
    expect(out?.outputFacets?.['outputStatistics']).toMatchObject({ rowCount: 1234, size: 56_789 });
    expect(out?.facets?.['dataQualityAssertions']).toMatchObject({
      assertions: [
        { assertion: 'no_nulls', success: true, column: 'ret' },
        { assertion: 'row_count', success: false },
      ],
    });
    const start = buildRunEvent('START', T, {
      ...attempt,
      output: { name: 'daily_returns' },
    });
    expect(start.outputs).toEqual([{ namespace: 'marketlake', name: 'daily_returns' }]);
    expect(validateRunEvent(start)).toEqual([]);
  });

  it('rejects events that break the schema, naming each field', () => {
    const event = buildRunEvent('COMPLETE', T, attempt);
    const cases: [unknown, string][] = [
      [null, '$ must be an object'],
      [broken(event, ['eventTime'], DELETE), '$.eventTime is required'],
      [broken(event, ['eventTime'], '2024-03-15 21:30'), '$.eventTime must be a date-time'],
      [broken(event, ['producer'], 'not a uri'), '$.producer must be a uri'],
      [broken(event, ['schemaURL'], DELETE), '$.schemaURL is required'],
      [broken(event, ['eventType'], 'DONE'), '$.eventType must be one of START'],
      [broken(event, ['run', 'runId'], 'att_01'), '$.run.runId must be a uuid'],
      [broken(event, ['job', 'namespace'], DELETE), '$.job.namespace is required'],
      [broken(event, ['job'], DELETE), '$.job is required'],
      [broken(event, ['inputs'], {}), '$.inputs must be a array'],
      [broken(event, ['inputs', 0, 'name'], DELETE), '$.inputs[0].name is required'],
      [
        broken(event, ['inputs', 0, 'facets', 'schema', '_producer'], DELETE),
        '$.inputs[0].facets.schema._producer is required',
      ],
      [
        broken(event, ['inputs', 0, 'facets', 'schema', 'fields', 1], { type: 'X' }),
        '$.inputs[0].facets.schema.fields[1].name is required',
      ],
      [
        broken(event, ['outputs', 0, 'outputFacets', 'outputStatistics', 'rowCount'], 1.5),
        'outputStatistics.rowCount must be an integer',
      ],
      [
        broken(
          event,
          ['outputs', 0, 'facets', 'dataQualityAssertions', 'assertions', 0, 'success'],
          'yes',
        ),
        'assertions[0].success must be a boolean',
      ],
      [
        broken(event, ['run', 'facets', 'parent', 'run', 'runId'], DELETE),
        '$.run.facets.parent.run.runId is required',
      ],
      [
        broken(event, ['run', 'facets', 'custom'], { value: 1 }),
        '$.run.facets.custom._schemaURL is required',
      ],
      [
        broken(event, ['outputs', 0, 'facets', 'schema', '_deleted'], 'no'),
        '_deleted must be a boolean',
      ],
    ];
    for (const [value, problem] of cases) {
      const problems = validateRunEvent(value);
      expect(problems.join('\n')).toContain(problem);
    }
    expect(() => assertValidRunEvent(cases[1]![0])).toThrow(ObserveLineageEventInvalidError);
    expect(RUN_EVENT_TYPES).toContain('RUNNING');
  });
});
