/**
 * Reads what Linux knows about a process from /proc: CPU ticks (`stat`), resident memory and its
 * high-water mark (`status`), I/O counters (`io`), and resets the high-water mark (`clear_refs`).
 * Every reader returns undefined when the process is gone, so a sampler racing an exit never throws.
 */
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  writeFileSync,
  writeSync,
} from 'node:fs';

/**
 * Clock ticks per second of the CPU fields in /proc/<pid>/stat. Linux fixes USER_HZ at 100 in its
 * ABI on every architecture Node runs on, so no `getconf CLK_TCK` call is needed.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat the executor uses. */
export interface ProcStat {
  /** Process id. */
  readonly pid: number;
  /** Parent process id. */
  readonly ppid: number;
  /** Process group id. */
  readonly pgid: number;
  /** CPU time in user mode, in clock ticks. */
  readonly utimeTicks: number;
  /** CPU time in kernel mode, in clock ticks. */
  readonly stimeTicks: number;
  /** User CPU of children already waited for (reaped), in clock ticks. */
  readonly cutimeTicks: number;
  /** System CPU of children already waited for, in clock ticks. */
  readonly cstimeTicks: number;
  /** Start time after boot, in clock ticks: with `pid`, identifies the process across pid reuse. */
  readonly startTicks: number;
}

/** Resident memory of a process, from /proc/<pid>/status. */
export interface ProcMemory {
  /** Current resident set size (VmRSS). */
  readonly rssBytes: number;
  /** Peak resident set size since start or the last `resetPeakRss` (VmHWM). */
  readonly hwmBytes: number;
}

/** I/O counters of a process (its reaped children included), from /proc/<pid>/io. */
export interface ProcIo {
  /** Bytes fetched from the storage layer (`read_bytes`; page-cache hits do not count). */
  readonly readBytes: number;
  /** Bytes sent, or dirtied for sending, to the storage layer (`write_bytes`). */
  readonly writeBytes: number;
  /** Bytes passed to read-like syscalls, pipes and sockets included (`rchar`). */
  readonly readChars: number;
  /** Bytes passed to write-like syscalls, pipes and sockets included (`wchar`). */
  readonly writeChars: number;
}

// Open /proc files of pinned processes (the pool's workers), by pid and file name.
const pinned = new Map<number, Map<string, number>>();
// /proc/<pid>/status, the largest file read, is under 2 KiB.
const pinnedBuffer = Buffer.allocUnsafe(16 * 1024);

/**
 * Keeps the /proc files of `pid` open once read, until `unpinProcFiles`: a worker's files are
 * read at the start and end of every attempt, and one positioned read is a fifth of the system
 * calls of opening, reading and closing the file each time.
 */
export function pinProcFiles(pid: number): void {
  if (!pinned.has(pid)) pinned.set(pid, new Map());
}

/** Closes what `pinProcFiles` kept open; call once the process has exited. */
export function unpinProcFiles(pid: number): void {
  const files = pinned.get(pid);
  pinned.delete(pid);
  for (const fd of files?.values() ?? []) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}

/** The fd of a pinned process's file, opened on first use; undefined when not pinned. */
function pinnedFd(pid: number, name: string, flags: 'r' | 'w'): number | undefined {
  const files = pinned.get(pid);
  if (files === undefined) return undefined;
  let fd = files.get(name);
  if (fd === undefined) {
    fd = openSync(`/proc/${pid}/${name}`, flags);
    files.set(name, fd);
  }
  return fd;
}

function readProcFile(pid: number, name: string): string | undefined {
  try {
    const fd = pinnedFd(pid, name, 'r');
    if (fd === undefined) return readFileSync(`/proc/${pid}/${name}`, 'latin1');
    const n = readSync(fd, pinnedBuffer, 0, pinnedBuffer.length, 0);
    return pinnedBuffer.toString('latin1', 0, n);
  } catch {
    return undefined;
  }
}

/** Parses the text of /proc/<pid>/stat; the command name may hold spaces and parentheses. */
export function parseProcStat(pid: number, text: string): ProcStat | undefined {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Field numbers of proc(5) minus 3: the list starts at field 3, `state`.
  const num = (field: number): number => Number(fields[field - 3]);
  const stat: ProcStat = {
    pid,
    ppid: num(4),
    pgid: num(5),
    utimeTicks: num(14),
    stimeTicks: num(15),
    cutimeTicks: num(16),
    cstimeTicks: num(17),
    startTicks: num(22),
  };
  return Number.isFinite(stat.startTicks) ? stat : undefined;
}

/** /proc/<pid>/stat, or undefined when the process is gone. */
export function readProcStat(pid: number): ProcStat | undefined {
  const text = readProcFile(pid, 'stat');
  return text === undefined ? undefined : parseProcStat(pid, text);
}

/** VmRSS and VmHWM of /proc/<pid>/status; undefined when gone (a zombie has neither line). */
export function readProcMemory(pid: number): ProcMemory | undefined {
  const text = readProcFile(pid, 'status');
  if (text === undefined) return undefined;
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(text);
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(text);
  if (rss === null || hwm === null) return undefined;
  return { rssBytes: Number(rss[1]) * 1024, hwmBytes: Number(hwm[1]) * 1024 };
}

/** /proc/<pid>/io, or undefined when gone or not readable. */
export function readProcIo(pid: number): ProcIo | undefined {
  const text = readProcFile(pid, 'io');
  if (text === undefined) return undefined;
  const value = (key: string): number => {
    const match = new RegExp(`^${key}: (\\d+)`, 'm').exec(text);
    return match === null ? 0 : Number(match[1]);
  };
  return {
    readBytes: value('read_bytes'),
    writeBytes: value('write_bytes'),
    readChars: value('rchar'),
    writeChars: value('wchar'),
  };
}

/**
 * Resets the process's VmHWM to its current RSS by writing '5' to /proc/<pid>/clear_refs
 * (Linux >= 4.0). Returns false when the file is missing or not writable.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    const fd = pinnedFd(pid, 'clear_refs', 'w');
    if (fd === undefined) writeFileSync(`/proc/${pid}/clear_refs`, '5');
    else writeSync(fd, '5', 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every process's parent and group, from one pass over /proc. This kernel build may lack
 * /proc/<pid>/task/<tid>/children, so a scan is the portable way to find descendants; callers
 * run it sparingly (see ProcessTreeSampler).
 */
export function scanProcessParents(): Map<number, number> {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return parents;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = readProcStat(pid);
    if (stat !== undefined) parents.set(pid, stat.ppid);
  }
  return parents;
}

/** Pids of every descendant of `root` in a parent map from `scanProcessParents`. */
export function descendantsIn(parents: ReadonlyMap<number, number>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [pid]);
    else list.push(pid);
  }
  const found: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop() as number) ?? []) {
      found.push(child);
      stack.push(child);
    }
  }
  return found;
}

/** Whether this system has the /proc files the executor measures with (Linux). */
export function procAvailable(): boolean {
  return readProcStat(process.pid) !== undefined && readProcMemory(process.pid) !== undefined;
}
