import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cachingStatements } from './statement-cache.js';

describe('cachingStatements', () => {
  let raw: Database.Database | undefined;
  afterEach(() => {
    if (raw?.open) raw.close();
  });
  const open = (): Database.Database => {
    raw = new Database(':memory:');
    raw.exec(
      "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('x'), ('x')",
    );
    return raw;
  };

  it('prepares each SQL text once and returns the same statement after', () => {
    const db = cachingStatements(open());
    const first = db.prepare('SELECT v FROM t WHERE id = ?');
    expect(db.prepare('SELECT v FROM t WHERE id = ?')).toBe(first);
    expect(first.get(1)).toEqual({ v: 'x' });
    expect(db.prepare('SELECT v FROM t WHERE id = ?').get(2)).toEqual({ v: 'x' });
  });

  it('drops the least recently used statement past its capacity', () => {
    const db = cachingStatements(open(), 2);
    const a = db.prepare('SELECT 1 AS n');
    const b = db.prepare('SELECT 2 AS n');
    expect(db.prepare('SELECT 1 AS n')).toBe(a); // a is now the most recent
    db.prepare('SELECT 3 AS n'); // evicts b
    expect(db.prepare('SELECT 1 AS n')).toBe(a);
    expect(db.prepare('SELECT 2 AS n')).not.toBe(b);
  });

  it('gives a fresh statement while the cached one is being iterated', () => {
    const db = cachingStatements(open());
    const sql = 'SELECT id FROM t ORDER BY id';
    const outer = db.prepare(sql);
    const seen: number[] = [];
    for (const row of outer.iterate() as IterableIterator<{ id: number }>) {
      const inner = db.prepare(sql);
      expect(inner).not.toBe(outer);
      seen.push(row.id, ...(inner.all() as { id: number }[]).map((r) => r.id));
    }
    expect(seen).toEqual([1, 1, 2, 2, 1, 2]);
  });

  it('sees schema changes made after a statement was cached', () => {
    const db = cachingStatements(open());
    expect(db.prepare('SELECT * FROM t WHERE id = 1').get()).toEqual({ id: 1, v: 'x' });
    raw?.exec("ALTER TABLE t ADD COLUMN w TEXT DEFAULT 'y'");
    expect(db.prepare('SELECT * FROM t WHERE id = 1').get()).toEqual({ id: 1, v: 'x', w: 'y' });
  });

  it('closes the database', () => {
    const database = open();
    cachingStatements(database).close();
    expect(database.open).toBe(false);
  });
});
