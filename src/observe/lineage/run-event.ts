/**
 * Builds the OpenLineage run events of an attempt: the job is the asset, the run the attempt
 * (its parent the marketlake run), the inputs the upstream assets' datasets and the output the
 * asset's dataset, with schema, output statistics and the asset checks as assertions.
 */
import { version } from '../../core/index.js';
import {
  FACET_SCHEMA_URLS,
  OPENLINEAGE_SCHEMA_URL,
  uuidOfId,
  type BaseFacet,
  type LineageInputDataset,
  type LineageOutputDataset,
  type RunEvent,
  type RunEventType,
} from './openlineage-spec.js';

/** Default producer URI of marketlake's events. */
export const DEFAULT_LINEAGE_PRODUCER = `urn:marketlake:${version}`;

/** A column of a dataset. */
export interface LineageField {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
}

/** A dataset an attempt reads or writes. */
export interface LineageDatasetInput {
  readonly name: string;
  /** Columns; absent when the dataset is not registered (yet). */
  readonly fields?: readonly LineageField[];
}

/** The result of one asset check, as a data-quality assertion. */
export interface LineageAssertion {
  /** Check name. */
  readonly assertion: string;
  readonly success: boolean;
  readonly column?: string;
  /** `error` for blocking checks, `warn` otherwise. */
  readonly severity?: 'error' | 'warn';
}

/** What an event says about an attempt. */
export interface LineageAttempt {
  readonly attemptId: string;
  /** The marketlake run (the parent run of the attempt's OpenLineage run). */
  readonly runId: string;
  /** Job name of the marketlake run (its schedule, sensor or kind). */
  readonly runJob: string;
  /** The asset: the OpenLineage job. */
  readonly asset: string;
  readonly description?: string;
  readonly inputs: readonly LineageDatasetInput[];
  readonly output?: LineageDatasetInput & {
    /** Rows written (COMPLETE). */
    readonly rowCount?: number;
    /** Bytes written (COMPLETE). */
    readonly bytes?: number;
    readonly assertions?: readonly LineageAssertion[];
  };
  /** Why the attempt failed (FAIL, ABORT). */
  readonly error?: { readonly message: string; readonly stackTrace?: string };
}

/** Namespaces and producer of the events. */
export interface LineageNaming {
  /** Job namespace (default `marketlake`). */
  readonly namespace?: string;
  /** Dataset namespace (default the job namespace). */
  readonly datasetNamespace?: string;
  /** Producer URI (default `urn:marketlake:<version>`). */
  readonly producer?: string;
}

function facet(producer: string, schemaURL: string, body: Record<string, unknown>): BaseFacet {
  return { _producer: producer, _schemaURL: schemaURL, ...body };
}

function schemaFacets(
  producer: string,
  fields: readonly LineageField[] | undefined,
): Record<string, BaseFacet> | undefined {
  if (fields === undefined) return undefined;
  return {
    schema: facet(producer, FACET_SCHEMA_URLS.schema, {
      fields: fields.map((f) => ({
        name: f.name,
        type: f.type,
        ...(f.description !== undefined ? { description: f.description } : {}),
      })),
    }),
  };
}

/** The OpenLineage run event of `attempt` at `eventTime`. */
export function buildRunEvent(
  eventType: RunEventType,
  eventTime: Date,
  attempt: LineageAttempt,
  naming: LineageNaming = {},
): RunEvent {
  const producer = naming.producer ?? DEFAULT_LINEAGE_PRODUCER;
  const namespace = naming.namespace ?? 'marketlake';
  const datasetNamespace = naming.datasetNamespace ?? namespace;
  const inputs: LineageInputDataset[] = attempt.inputs.map((d) => {
    const facets = schemaFacets(producer, d.fields);
    return { namespace: datasetNamespace, name: d.name, ...(facets ? { facets } : {}) };
  });
  const outputs: LineageOutputDataset[] = [];
  const out = attempt.output;
  if (out !== undefined) {
    const facets: Record<string, BaseFacet> = { ...schemaFacets(producer, out.fields) };
    // The checks ran on the data this attempt wrote: they describe the output's new version.
    if (out.assertions !== undefined && out.assertions.length > 0)
      facets['dataQualityAssertions'] = facet(producer, FACET_SCHEMA_URLS.dataQualityAssertions, {
        assertions: out.assertions.map((a) => ({ ...a })),
      });
    const stats =
      out.rowCount !== undefined
        ? {
            outputStatistics: facet(producer, FACET_SCHEMA_URLS.outputStatistics, {
              rowCount: Math.round(out.rowCount),
              ...(out.bytes !== undefined ? { size: Math.round(out.bytes) } : {}),
            }),
          }
        : undefined;
    outputs.push({
      namespace: datasetNamespace,
      name: out.name,
      ...(Object.keys(facets).length > 0 ? { facets } : {}),
      ...(stats ? { outputFacets: stats } : {}),
    });
  }
  const runFacets: Record<string, BaseFacet> = {
    parent: facet(producer, FACET_SCHEMA_URLS.parent, {
      run: { runId: uuidOfId(attempt.runId) },
      job: { namespace, name: attempt.runJob },
    }),
    processing_engine: facet(producer, FACET_SCHEMA_URLS.processingEngine, {
      name: 'marketlake',
      version,
    }),
  };
  if (attempt.error !== undefined)
    runFacets['errorMessage'] = facet(producer, FACET_SCHEMA_URLS.errorMessage, {
      message: attempt.error.message,
      programmingLanguage: 'TypeScript',
      ...(attempt.error.stackTrace !== undefined ? { stackTrace: attempt.error.stackTrace } : {}),
    });
  const jobFacets: Record<string, BaseFacet> = {
    jobType: facet(producer, FACET_SCHEMA_URLS.jobType, {
      processingType: 'BATCH',
      integration: 'MARKETLAKE',
      jobType: 'ASSET',
    }),
  };
  if (attempt.description !== undefined)
    jobFacets['documentation'] = facet(producer, FACET_SCHEMA_URLS.documentation, {
      description: attempt.description,
    });
  return {
    eventType,
    eventTime: eventTime.toISOString(),
    producer,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
    run: { runId: uuidOfId(attempt.attemptId), facets: runFacets },
    job: { namespace, name: attempt.asset, facets: jobFacets },
    inputs,
    outputs,
  };
}
