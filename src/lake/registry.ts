import type { MetaStore, DatasetsTable } from '../meta/index.js';
import type { Dataset, DatasetSpec } from './dataset-spec.js';
import { LakeDatasetExistsError, LakeDatasetNotFoundError } from './errors.js';
import { builtinDatasets } from './builtins.js';
import { validateSpec } from './validate-spec.js';

function toDataset(row: DatasetsTable): Dataset {
  const schema = JSON.parse(row.schema_json) as Pick<
    DatasetSpec,
    'columns' | 'primaryKey' | 'checks'
  >;
  return {
    name: row.name,
    description: row.description,
    columns: schema.columns,
    primaryKey: schema.primaryKey,
    checks: schema.checks ?? [],
    partitioning: JSON.parse(row.partitioning_json) as Dataset['partitioning'],
    builtin: Number(row.builtin) === 1,
    headVersion: Number(row.head_version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function schemaJson(spec: DatasetSpec): string {
  return JSON.stringify({
    columns: spec.columns,
    primaryKey: spec.primaryKey,
    checks: spec.checks ?? [],
  });
}

/** Registers (or updates) the built-in datasets declared in code. */
export async function ensureBuiltins(store: MetaStore): Promise<void> {
  const now = new Date().toISOString();
  await store.transaction(async (trx) => {
    for (const raw of builtinDatasets) {
      const spec = validateSpec(raw);
      const existing = await trx
        .selectFrom('datasets')
        .selectAll()
        .where('name', '=', spec.name)
        .executeTakeFirst();
      const values = {
        schema_json: schemaJson(spec),
        partitioning_json: JSON.stringify(spec.partitioning),
        description: spec.description ?? '',
      };
      if (!existing) {
        // Several processes may start at once on a fresh PostgreSQL database: the first insert wins.
        await trx
          .insertInto('datasets')
          .values({
            name: spec.name,
            ...values,
            builtin: 1,
            head_version: 0,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
      } else if (
        existing.schema_json !== values.schema_json ||
        existing.description !== values.description
      ) {
        await trx
          .updateTable('datasets')
          .set({ ...values, updated_at: now })
          .where('name', '=', spec.name)
          .execute();
      }
    }
  });
}

/**
 * Registers a user dataset. Registering the same definition again is a no-op; a different
 * definition under an existing name is refused.
 */
export async function createDataset(store: MetaStore, input: DatasetSpec): Promise<Dataset> {
  const spec = validateSpec(input);
  const now = new Date().toISOString();
  const sameOrFail = (existing: DatasetsTable): Dataset => {
    if (
      existing.schema_json === schemaJson(spec) &&
      existing.partitioning_json === JSON.stringify(spec.partitioning)
    ) {
      return toDataset(existing);
    }
    throw new LakeDatasetExistsError(
      `Dataset "${spec.name}" already exists with another definition. Pick another name, or keep the existing columns, key and partitioning.`,
      { details: { dataset: spec.name } },
    );
  };
  return store.transaction(async (trx) => {
    const existing = await trx
      .selectFrom('datasets')
      .selectAll()
      .where('name', '=', spec.name)
      .executeTakeFirst();
    if (existing) return sameOrFail(existing);
    const row: DatasetsTable = {
      name: spec.name,
      schema_json: schemaJson(spec),
      partitioning_json: JSON.stringify(spec.partitioning),
      description: spec.description ?? '',
      builtin: 0,
      head_version: 0,
      created_at: now,
      updated_at: now,
    };
    const inserted = await trx
      .insertInto('datasets')
      .values(row)
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return toDataset(row);
    // Another process registered the name between our read and our insert.
    return sameOrFail(
      await trx
        .selectFrom('datasets')
        .selectAll()
        .where('name', '=', spec.name)
        .executeTakeFirstOrThrow(),
    );
  });
}

/** The registered dataset named `name`; throws `LAKE_DATASET_NOT_FOUND` listing the known names. */
export async function getDataset(store: MetaStore, name: string): Promise<Dataset> {
  const row = await store.db
    .selectFrom('datasets')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) {
    const names = (
      await store.db.selectFrom('datasets').select('name').orderBy('name').execute()
    ).map((r) => r.name);
    throw new LakeDatasetNotFoundError(
      `No dataset named "${name}". Known datasets: ${names.join(', ') || '(none)'}.`,
      {
        details: { dataset: name, known: names },
      },
    );
  }
  return toDataset(row);
}

/** Every registered dataset, by name. */
export async function listDatasets(store: MetaStore): Promise<Dataset[]> {
  const rows = await store.db.selectFrom('datasets').selectAll().orderBy('name').execute();
  return rows.map(toDataset);
}
