export * from './errors.js';
export * from './metrics/index.js';
export * from './alerts/index.js';
export * from './tracing/index.js';
export * from './lineage/index.js';
