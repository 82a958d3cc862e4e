import { describe, expect, it } from 'vitest';
import { PipelinesInvalidTransitionError } from '../errors.js';
import {
  assertTransition,
  canTransition,
  isTerminal,
  statesOf,
  type StatefulEntity,
} from './run-states.js';

/** The complete legal transition table, written out independently of the implementation. */
const LEGAL: Record<StatefulEntity, Record<string, string[]>> = {
  run: {
    queued: ['running', 'canceled'],
    running: ['succeeded', 'failed', 'canceled'],
    succeeded: [],
    failed: [],
    canceled: [],
  },
  task: {
    waiting: ['queued', 'canceled', 'skipped', 'upstream_failed'],
    queued: ['running', 'canceled', 'skipped'],
    running: ['queued', 'succeeded', 'failed', 'canceled', 'skipped'],
    succeeded: [],
    failed: [],
    canceled: [],
    skipped: [],
    upstream_failed: [],
  },
  attempt: {
    waiting: ['queued', 'canceled', 'skipped', 'upstream_failed'],
    queued: ['running', 'canceled', 'skipped'],
    running: ['succeeded', 'failed', 'canceled', 'skipped', 'lost'],
    succeeded: [],
    failed: [],
    canceled: [],
    skipped: [],
    upstream_failed: [],
    lost: [],
  },
  backfill: {
    requested: ['running', 'canceled'],
    running: ['succeeded', 'failed', 'canceled'],
    failed: ['running', 'canceled'],
    succeeded: [],
    canceled: [],
  },
};

describe.each(Object.keys(LEGAL) as StatefulEntity[])('%s state machine', (entity) => {
  const table = LEGAL[entity];
  const states = Object.keys(table);

  it('knows exactly the expected states', () => {
    expect([...statesOf(entity)].sort()).toEqual([...states].sort());
  });

  const pairs = states.flatMap((from) => states.map((to) => [from, to] as const));
  it.each(pairs)('%s -> %s is legal exactly when the table says so', (from, to) => {
    const legal = table[from]!.includes(to);
    expect(canTransition(entity, from, to)).toBe(legal);
    if (legal) {
      expect(() => assertTransition(entity, 'x1', from, to)).not.toThrow();
    } else {
      let err: unknown;
      try {
        assertTransition(entity, 'x1', from, to);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PipelinesInvalidTransitionError);
      expect((err as PipelinesInvalidTransitionError).code).toBe('PIPELINES_INVALID_TRANSITION');
      expect((err as Error).message).toContain(`Cannot move ${entity} x1 from ${from} to ${to}`);
      expect((err as PipelinesInvalidTransitionError).details).toEqual({
        entity,
        id: 'x1',
        from,
        to,
      });
    }
  });

  it('marks as terminal the states nothing leaves', () => {
    for (const s of states) {
      const terminal =
        entity === 'backfill' ? !['requested', 'running'].includes(s) : table[s]!.length === 0;
      expect(isTerminal(entity, s), s).toBe(terminal);
    }
  });

  it('rejects unknown states with a message naming them', () => {
    expect(canTransition(entity, 'bogus', states[0]!)).toBe(false);
    expect(() => assertTransition(entity, 'x1', 'bogus', states[0]!)).toThrow(/"bogus" is not a/);
  });
});
