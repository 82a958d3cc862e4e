import { describe, expect, it } from 'vitest';
import { BatchQueue } from './batch-queue.js';

function recorder(windowMs: number, maxBatch: number, maxQueued?: number) {
  const batches: { items: number[]; refused: number }[] = [];
  const queue = new BatchQueue<number>({
    windowMs,
    maxBatch,
    ...(maxQueued !== undefined ? { maxQueued } : {}),
    handle: async (items, refused) => {
      await new Promise((r) => setImmediate(r));
      batches.push({ items, refused });
    },
  });
  return { queue, batches };
}

describe('BatchQueue', () => {
  it('hands full batches at once, in order, and the rest on flush', async () => {
    const { queue, batches } = recorder(60_000, 3);
    for (let i = 0; i < 7; i++) queue.add(i);
    await queue.flush();
    expect(batches.map((b) => b.items)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('hands a partial batch after the window', async () => {
    const { queue, batches } = recorder(20, 100);
    queue.add(1);
    queue.add(2);
    expect(batches).toEqual([]);
    const deadline = Date.now() + 5_000;
    while (batches.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([{ items: [1, 2], refused: 0 }]);
  });

  it('refuses items beyond the bound and reports how many with the next batch', async () => {
    const { queue, batches } = recorder(60_000, 100, 2);
    expect([1, 2, 3, 4].map((i) => queue.add(i))).toEqual([true, true, false, false]);
    await queue.flush();
    expect(batches).toEqual([{ items: [1, 2], refused: 2 }]);
  });
});
