import { closeSync, fsyncSync, openSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';

/** Flushes a file's contents to stable storage. */
export function fsyncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `fsyncFile` on a libuv thread: the caller goes on while the disk catches up. */
export async function fsyncFileLater(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (a rename is durable only after its folder is synced). */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems (e.g. certain NFS mounts) refuse fsync on folders; the rename stands.
  } finally {
    closeSync(fd);
  }
}

/** Moves a fsynced file into place and syncs the target folder. */
export function durableRename(from: string, to: string): void {
  mkdirSync(path.dirname(to), { recursive: true });
  renameSync(from, to);
}

/** Writes a small file atomically: temp file, fsync, rename. */
export function writeFileAtomic(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  fsyncFile(tmp);
  renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}
