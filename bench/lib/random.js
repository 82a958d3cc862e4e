/**
 * Deterministic PRNG (mulberry32): benchmarks pick the same "random" symbols on every run.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function mulberry32(seed) {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Symbol name of synthetic symbol `i` (matches gen-bars.js). */
export function symbolName(i) {
  return `S${String(i).padStart(5, '0')}`;
}

/**
 * Latency summary of a list of durations in milliseconds (nearest-rank percentiles).
 * @param {number[]} ms
 */
export function latencySummary(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ??
    NaN;
  return {
    calls: sorted.length,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    meanMs: sorted.reduce((s, v) => s + v, 0) / sorted.length,
  };
}
