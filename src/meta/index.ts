export * from './errors.js';
export * from './schema.js';
export * from './meta-store.js';
export { migrate, schemaVersion } from './migrator.js';
export { latestSchemaVersion } from './migrations.js';
export * from './leases.js';
export { migrations, type Migration } from './migrations.js';
export * from './prepared-query.js';
