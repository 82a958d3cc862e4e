export * from './errors.js';
export * from './metrics/index.js';
