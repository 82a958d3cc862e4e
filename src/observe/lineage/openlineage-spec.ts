/**
 * The parts of the OpenLineage 2-0-2 specification marketlake emits: run events and the facets
 * it attaches, with the schema URLs consumers use to recognize them.
 */
import { createHash } from 'node:crypto';

/** Schema of the run events (`schemaURL` of every event). */
export const OPENLINEAGE_SCHEMA_URL =
  'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** `_schemaURL` of each facet marketlake emits. */
export const FACET_SCHEMA_URLS = {
  schema:
    'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
  outputStatistics:
    'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet',
  dataQualityAssertions:
    'https://openlineage.io/spec/facets/1-0-1/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet',
  errorMessage:
    'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
  parent: 'https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json#/$defs/ParentRunFacet',
  processingEngine:
    'https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet',
  jobType: 'https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet',
  documentation:
    'https://openlineage.io/spec/facets/1-0-1/DocumentationJobFacet.json#/$defs/DocumentationJobFacet',
} as const;

/** Run state transitions of the spec. */
export const RUN_EVENT_TYPES = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] as const;
/** A run state transition. */
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

/** Fields every facet carries. */
export interface BaseFacet {
  readonly _producer: string;
  readonly _schemaURL: string;
  readonly [field: string]: unknown;
}

/** A dataset in an event. */
export interface LineageDataset {
  readonly namespace: string;
  readonly name: string;
  readonly facets?: Readonly<Record<string, BaseFacet>>;
}

/** An input dataset. */
export interface LineageInputDataset extends LineageDataset {
  readonly inputFacets?: Readonly<Record<string, BaseFacet>>;
}

/** An output dataset. */
export interface LineageOutputDataset extends LineageDataset {
  readonly outputFacets?: Readonly<Record<string, BaseFacet>>;
}

/** An OpenLineage run event. */
export interface RunEvent {
  readonly eventType: RunEventType;
  /** ISO-8601 with offset. */
  readonly eventTime: string;
  readonly producer: string;
  readonly schemaURL: string;
  readonly run: { readonly runId: string; readonly facets?: Readonly<Record<string, BaseFacet>> };
  readonly job: {
    readonly namespace: string;
    readonly name: string;
    readonly facets?: Readonly<Record<string, BaseFacet>>;
  };
  readonly inputs: readonly LineageInputDataset[];
  readonly outputs: readonly LineageOutputDataset[];
}

// A fixed namespace for marketlake's name-based UUIDs (RFC 9562 version 5).
const UUID_NAMESPACE = Buffer.from('3c1e6d0a9b2f4e57a8d4c0f1e2b3a495', 'hex');

/** A stable UUID (version 5) for one of marketlake's ids, so START and COMPLETE share a runId. */
export function uuidOfId(id: string): string {
  const hash = createHash('sha1').update(UUID_NAMESPACE).update(id, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
