export { createServer } from './server.js';
export { lakeCollector } from './lake-collector.js';
export type { Platform } from './platform.js';
export { httpStatusOf, mappedErrorCodes } from './error-status.js';
