/**
 * Failpoints let crash tests kill a process at a named point of a protocol (as FoundationDB and
 * TiKV do). `MARKETLAKE_FAILPOINTS=lake.commit.before` makes `failpoint('lake.commit.before')`
 * send SIGKILL to the current process; outside tests the variable is unset and the check is one
 * lookup.
 */
const active = new Set(
  (process.env['MARKETLAKE_FAILPOINTS'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Kills the process with SIGKILL when the named failpoint is enabled. */
export function failpoint(name: string): void {
  if (active.size > 0 && active.has(name)) {
    process.kill(process.pid, 'SIGKILL');
  }
}
