import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import type { DuckEngine } from './duck-engine.js';
import { readJsonRows } from './json-rows.js';

interface Slot {
  conn: DuckDBConnection | undefined;
  queue: Promise<unknown>;
  statements: Map<string, DuckDBPreparedStatement>;
}

/**
 * Point reads on a few long-lived connections, each with a cache of prepared statements: a
 * version's file list is fixed, so the same read shape is planned once per version instead of on
 * every call (planning is a large share of a 10-file point read).
 */
export class ReadSession {
  private readonly slots: Slot[];
  private next = 0;

  constructor(
    private readonly engine: DuckEngine,
    connections = 2,
    private readonly cacheSize = 64,
  ) {
    this.slots = Array.from({ length: connections }, () => ({
      conn: undefined,
      queue: Promise.resolve(),
      statements: new Map(),
    }));
  }

  /** Runs `sql` with positional parameters and returns its rows as JSON-safe objects. */
  query(sql: string, params: readonly DuckDBValue[]): Promise<Record<string, unknown>[]> {
    const slot = this.slots[this.next++ % this.slots.length]!;
    const run = slot.queue.then(() => this.run(slot, sql, params));
    slot.queue = run.catch(() => undefined);
    return run;
  }

  private async run(
    slot: Slot,
    sql: string,
    params: readonly DuckDBValue[],
  ): Promise<Record<string, unknown>[]> {
    slot.conn ??= await this.engine.connect();
    let stmt = slot.statements.get(sql);
    if (stmt) {
      slot.statements.delete(sql);
    } else {
      stmt = await slot.conn.prepare(sql);
      if (slot.statements.size >= this.cacheSize) {
        const [oldest, old] = slot.statements.entries().next().value as [
          string,
          DuckDBPreparedStatement,
        ];
        old.destroySync();
        slot.statements.delete(oldest);
      }
    }
    slot.statements.set(sql, stmt);
    stmt.bind([...params]);
    return (await readJsonRows(await stmt.run())).rows;
  }

  /** Releases statements and connections. */
  close(): void {
    for (const slot of this.slots) {
      for (const stmt of slot.statements.values()) stmt.destroySync();
      slot.statements.clear();
      slot.conn?.closeSync();
      slot.conn = undefined;
    }
  }
}
