import { readFileSync } from 'node:fs';

/**
 * Peak resident set size of this process in bytes (VmHWM from /proc/self/status): the operating
 * system's figure, which includes DuckDB's native allocations that `process.memoryUsage()` does
 * not see. Undefined where /proc is missing (not Linux).
 * @returns {number | undefined}
 */
export function peakRssBytes() {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
