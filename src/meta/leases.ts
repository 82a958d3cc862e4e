import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MetaStore } from './meta-store.js';
import { MetaLeaseTimeoutError } from './errors.js';

/** Options of `acquireLease`. */
export interface LeaseOptions {
  /** Who holds it (shown to waiters); default `<host>:<pid>`. */
  owner?: string;
  /** How long the lease lives without renewal. */
  ttlMs?: number;
  /** How long to wait for a busy lease before giving up. */
  waitMs?: number;
}

/** A held lease; renewed automatically until released. */
export interface Lease {
  readonly name: string;
  readonly owner: string;
  release(): Promise<void>;
}

const HOST = hostname();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Acquires the named lease, a lock that works across processes and machines through the metadata
 * database. A lease whose holder died is taken over: at once when the holder was a process on
 * this host that no longer exists, otherwise when its expiry passes (holders renew every ttl/3).
 */
export async function acquireLease(
  store: MetaStore,
  name: string,
  options: LeaseOptions = {},
): Promise<Lease> {
  const ttlMs = options.ttlMs ?? 30_000;
  const waitMs = options.waitMs ?? 120_000;
  const owner = options.owner ?? `${HOST}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const deadline = Date.now() + waitMs;
  let delay = 10;
  for (;;) {
    const holder = await tryTake(store, name, owner, ttlMs);
    if (holder === undefined) break;
    if (Date.now() >= deadline) {
      throw new MetaLeaseTimeoutError(
        `Timed out after ${waitMs} ms waiting for "${name}", held by ${holder}. Wait for that process to finish, or stop it if it hangs.`,
        { details: { lease: name, holder } },
      );
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 250);
  }
  let released = false;
  const timer = setInterval(
    () => {
      void store.db
        .updateTable('leases')
        .set({ expires_at_ms: Date.now() + ttlMs })
        .where('name', '=', name)
        .where('owner', '=', owner)
        .execute()
        .catch(() => undefined);
    },
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    name,
    owner,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      await store.db
        .deleteFrom('leases')
        .where('name', '=', name)
        .where('owner', '=', owner)
        .execute();
    },
  };
}

/** Takes the lease if free; returns undefined on success or a description of the holder. */
async function tryTake(
  store: MetaStore,
  name: string,
  owner: string,
  ttlMs: number,
): Promise<string | undefined> {
  return store.transaction(async (trx) => {
    const now = Date.now();
    const row = await trx
      .selectFrom('leases')
      .selectAll()
      .where('name', '=', name)
      .$if(store.dialect === 'postgres', (qb) => qb.forUpdate())
      .executeTakeFirst();
    const values = {
      owner,
      host: HOST,
      pid: process.pid,
      expires_at_ms: now + ttlMs,
      acquired_at: new Date(now).toISOString(),
    };
    if (!row) {
      const inserted = await trx
        .insertInto('leases')
        .values({ name, ...values })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1 ? undefined : 'another process';
    }
    const dead =
      row.expires_at_ms < now ||
      (row.host === HOST && row.pid !== process.pid && !processAlive(row.pid));
    if (!dead) return `${row.owner} (until ${new Date(row.expires_at_ms).toISOString()})`;
    await trx
      .updateTable('leases')
      .set(values)
      .where('name', '=', name)
      .where('owner', '=', row.owner)
      .execute();
    return undefined;
  });
}
