/** Lineage: OpenLineage run events of attempts, checked against the spec, over HTTP or to a file. */
export {
  NOOP_LINEAGE,
  createLineage,
  type Lineage,
  type LineageOptions,
  type LineageStats,
} from './lineage.js';
export {
  fileLineageTransport,
  httpLineageTransport,
  lineageEndpoint,
  type HttpLineageOptions,
  type LineageTransport,
} from './lineage-transports.js';
export {
  FACET_SCHEMA_URLS,
  OPENLINEAGE_SCHEMA_URL,
  RUN_EVENT_TYPES,
  uuidOfId,
  type BaseFacet,
  type LineageDataset,
  type LineageInputDataset,
  type LineageOutputDataset,
  type RunEvent,
  type RunEventType,
} from './openlineage-spec.js';
export {
  DEFAULT_LINEAGE_PRODUCER,
  buildRunEvent,
  type LineageAssertion,
  type LineageAttempt,
  type LineageDatasetInput,
  type LineageField,
  type LineageNaming,
} from './run-event.js';
export { assertValidRunEvent, validateRunEvent } from './run-event-validator.js';
