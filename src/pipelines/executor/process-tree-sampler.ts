/**
 * Measures one attempt from /proc: a worker process and its descendants (a command's shell and
 * whatever it starts). CPU and I/O are deltas from a baseline read when the attempt starts, so a
 * reused worker's earlier attempts never count; memory is the worker's VmHWM (reset before the
 * attempt) or, for commands, the peak of the descendants' summed RSS seen by sampling.
 *
 * Method, so that figures stay right whether a process is alive, a zombie or already reaped:
 * a process's `cutime`/`cstime` and its /proc/<pid>/io already include the children it waited
 * for, so the tree total is the sum over live processes of own + waited-for children's figures.
 * The root is read before its descendants and parents before children, so a child reaped during a
 * sample is missed once (never counted twice); totals only ever grow, so the next sample heals it.
 */
import {
  CLOCK_TICKS_PER_SECOND,
  descendantsIn,
  readProcIo,
  readProcMemory,
  readProcStat,
  scanProcessParents,
  type ProcIo,
  type ProcStat,
} from './proc-stats.js';

/** What the sampler measured for an attempt. */
export interface TreeFigures {
  /** User CPU of the worker and its descendants during the attempt. */
  readonly cpuUserSeconds: number;
  /** System CPU of the worker and its descendants during the attempt. */
  readonly cpuSystemSeconds: number;
  /** Peak resident memory (see the module comment for what is counted). */
  readonly peakRssBytes: number;
  /** Bytes read from storage (`read_bytes`). */
  readonly bytesRead: number;
  /** Bytes written to storage (`write_bytes`). */
  readonly bytesWritten: number;
  /** Bytes through read syscalls, pipes included (`rchar`). */
  readonly readChars: number;
  /** Bytes through write syscalls, pipes and the worker's IPC included (`wchar`). */
  readonly writeChars: number;
}

interface Totals {
  user: number;
  system: number;
  io: ProcIo;
}

const NO_IO: ProcIo = { readBytes: 0, writeBytes: 0, readChars: 0, writeChars: 0 };

function addIo(a: ProcIo, b: ProcIo | undefined): ProcIo {
  if (b === undefined) return a;
  return {
    readBytes: a.readBytes + b.readBytes,
    writeBytes: a.writeBytes + b.writeBytes,
    readChars: a.readChars + b.readChars,
    writeChars: a.writeChars + b.writeChars,
  };
}

function gain(now: number, base: number, best: number): number {
  return Math.max(best, now - base);
}

/** Samples a worker process tree for one attempt. */
export class ProcessTreeSampler {
  private readonly tracked = new Map<number, ProcStat>();
  private base: Totals | undefined;
  private best: Totals = { user: 0, system: 0, io: NO_IO };
  private rootHwmBytes = 0;
  private peakTreeBytes = 0;
  private peakChildHwmBytes = 0;

  /**
   * @param rootPid the worker's pid.
   * @param countRoot whether the worker's own memory is the attempt's (true for `run` tasks; a
   *   command's worker only waits, so its memory is not the command's).
   */
  constructor(
    readonly rootPid: number,
    private readonly countRoot: boolean,
  ) {}

  /** Reads the baseline; call after resetting the worker's VmHWM. False when the worker is gone. */
  begin(): boolean {
    const totals = this.readTotals();
    if (totals === undefined) return false;
    this.base = totals;
    return true;
  }

  /** Tracks a process known to belong to the attempt (a command's child, reported by the worker). */
  adopt(pid: number): void {
    const stat = readProcStat(pid);
    if (stat !== undefined && !this.tracked.has(pid)) this.tracked.set(pid, stat);
  }

  /** Finds descendants started since the last scan; `parents` lets one scan serve many samplers. */
  discover(parents: ReadonlyMap<number, number> = scanProcessParents()): void {
    for (const pid of descendantsIn(parents, this.rootPid)) this.adopt(pid);
  }

  /** Re-reads the tree and updates the figures; returns its resident memory now, in bytes. */
  sample(): number {
    const totals = this.readTotals();
    if (totals === undefined || this.base === undefined) return 0;
    this.best = {
      user: gain(totals.user, this.base.user, this.best.user),
      system: gain(totals.system, this.base.system, this.best.system),
      io: {
        readBytes: gain(totals.io.readBytes, this.base.io.readBytes, this.best.io.readBytes),
        writeBytes: gain(totals.io.writeBytes, this.base.io.writeBytes, this.best.io.writeBytes),
        readChars: gain(totals.io.readChars, this.base.io.readChars, this.best.io.readChars),
        writeChars: gain(totals.io.writeChars, this.base.io.writeChars, this.best.io.writeChars),
      },
    };
    return this.sampleMemory();
  }

  /** Pids of the worker's live descendants, parents first. */
  descendants(): number[] {
    return [...this.tracked.keys()];
  }

  /** Process groups led by a descendant (commands run detached, each in a group of its own). */
  descendantGroups(): number[] {
    return [...this.tracked.values()]
      .filter((stat) => stat.pgid === stat.pid && stat.pid !== this.rootPid)
      .map((stat) => stat.pid);
  }

  /** The figures measured so far; call `sample()` first for up-to-date values. */
  figures(): TreeFigures {
    const peak = this.countRoot
      ? Math.max(this.rootHwmBytes, this.peakTreeBytes)
      : Math.max(this.peakTreeBytes, this.peakChildHwmBytes);
    return {
      cpuUserSeconds: this.best.user / CLOCK_TICKS_PER_SECOND,
      cpuSystemSeconds: this.best.system / CLOCK_TICKS_PER_SECOND,
      peakRssBytes: peak,
      bytesRead: this.best.io.readBytes,
      bytesWritten: this.best.io.writeBytes,
      readChars: this.best.io.readChars,
      writeChars: this.best.io.writeChars,
    };
  }

  private readTotals(): Totals | undefined {
    const root = readProcStat(this.rootPid);
    if (root === undefined) return undefined;
    let io = addIo(NO_IO, readProcIo(this.rootPid));
    let user = root.utimeTicks + root.cutimeTicks;
    let system = root.stimeTicks + root.cstimeTicks;
    for (const [pid, known] of this.tracked) {
      const stat = readProcStat(pid);
      if (stat === undefined || stat.startTicks !== known.startTicks) {
        this.tracked.delete(pid);
        continue;
      }
      this.tracked.set(pid, stat);
      user += stat.utimeTicks + stat.cutimeTicks;
      system += stat.stimeTicks + stat.cstimeTicks;
      io = addIo(io, readProcIo(pid));
    }
    return { user, system, io };
  }

  private sampleMemory(): number {
    let treeBytes = 0;
    const root = readProcMemory(this.rootPid);
    if (root !== undefined) {
      this.rootHwmBytes = root.hwmBytes;
      if (this.countRoot) treeBytes += root.rssBytes;
    }
    for (const pid of this.tracked.keys()) {
      const memory = readProcMemory(pid);
      if (memory === undefined) continue;
      treeBytes += memory.rssBytes;
      this.peakChildHwmBytes = Math.max(this.peakChildHwmBytes, memory.hwmBytes);
    }
    this.peakTreeBytes = Math.max(this.peakTreeBytes, treeBytes);
    return treeBytes;
  }
}
