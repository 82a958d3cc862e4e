/** The project loader: pipeline files to served definitions and diagnostics, graph queries, reload. */
export { closestName, didYouMean, editDistance } from './closest-name.js';
export { formatDiagnostic, type Diagnostic, type DiagnosticLocation } from './diagnostics.js';
export { downstreamOf, findCycles, topologicalOrder, upstreamOf } from './graph.js';
export { loadProject, pipelineFiles, PIPELINES_DIR, type LoadedProject } from './load-project.js';
export { watchProject, type ProjectWatcher, type WatchOptions } from './watch-project.js';
