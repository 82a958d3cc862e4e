import { MarketlakeError } from '../core/index.js';

/** No dataset of that name is registered. */
export class LakeDatasetNotFoundError extends MarketlakeError {
  readonly code = 'LAKE_DATASET_NOT_FOUND';
}

/** A dataset of that name already exists with another definition. */
export class LakeDatasetExistsError extends MarketlakeError {
  readonly code = 'LAKE_DATASET_EXISTS';
}

/** A dataset definition is invalid (bad name, type, key or partitioning). */
export class LakeSchemaInvalidError extends MarketlakeError {
  readonly code = 'LAKE_SCHEMA_INVALID';
}

/** The requested version of a dataset does not exist (or was vacuumed). */
export class LakeVersionNotFoundError extends MarketlakeError {
  readonly code = 'LAKE_VERSION_NOT_FOUND';
}

/** A write holds rows that violate the dataset's schema (nulls, types, row checks). */
export class LakeBadDataError extends MarketlakeError {
  readonly code = 'LAKE_BAD_DATA';
}

/** A write holds the same primary key more than once. */
export class LakeDuplicateKeysError extends MarketlakeError {
  readonly code = 'LAKE_DUPLICATE_KEYS';
}

/** Another writer committed first; the write should be retried. */
export class LakeCommitConflictError extends MarketlakeError {
  readonly code = 'LAKE_COMMIT_CONFLICT';
  override readonly retryable = true;
}

/** A user query is not allowed (it writes, attaches, or reads outside the lake). */
export class LakeQueryForbiddenError extends MarketlakeError {
  readonly code = 'LAKE_QUERY_FORBIDDEN';
}

/** A user query failed in DuckDB (syntax error, unknown column, ...). */
export class LakeQueryFailedError extends MarketlakeError {
  readonly code = 'LAKE_QUERY_FAILED';
}

/** An import file cannot be used (missing, unreadable, no usable columns). */
export class LakeImportFileError extends MarketlakeError {
  readonly code = 'LAKE_IMPORT_FILE';
}

/** An import quarantined more rows than allowed, or had no good row at all. */
export class LakeImportRejectedError extends MarketlakeError {
  readonly code = 'LAKE_IMPORT_REJECTED';
}

/** The partition named in a write or read does not exist in the dataset. */
export class LakePartitionNotFoundError extends MarketlakeError {
  readonly code = 'LAKE_PARTITION_NOT_FOUND';
}
