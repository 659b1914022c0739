import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

/** A batcher whose flushes are recorded and held until released. */
function recording(options: { maxInFlight?: number; gatherMs?: number; maxBatch?: number } = {}) {
  const batches: number[][] = [];
  const held: (() => void)[] = [];
  const batcher = new Batcher<number, string>(async (items) => {
    batches.push([...items]);
    await new Promise<void>((resolve) => held.push(resolve));
    return items.map((item) => `done ${item}`);
  }, options);
  const releaseAll = () => {
    for (const release of held.splice(0)) release();
  };
  return { batcher, batches, releaseAll };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('writes what was submitted in one turn together, each caller getting its own answer', async () => {
    const { batcher, batches, releaseAll } = recording();
    const answers = [1, 2, 3].map((item) => batcher.submit(item));
    await tick();
    expect(batches).toEqual([[1, 2, 3]]);
    releaseAll();
    expect(await Promise.all(answers)).toEqual(['done 1', 'done 2', 'done 3']);
  });

  it('gathers what comes while a batch is in flight into the next one, up to maxInFlight at once', async () => {
    const { batcher, batches, releaseAll } = recording({ maxInFlight: 1 });
    const first = batcher.submit(1);
    await tick();
    const later = [2, 3].map((item) => batcher.submit(item));
    await tick();
    expect(batches).toEqual([[1]]);
    releaseAll();
    await first;
    await tick();
    expect(batches).toEqual([[1], [2, 3]]);
    releaseAll();
    expect(await Promise.all(later)).toEqual(['done 2', 'done 3']);
  });

  it('with gatherMs, waits that long before writing, so that more joins the batch', async () => {
    const { batcher, batches, releaseAll } = recording({ gatherMs: 30 });
    const first = batcher.submit(1);
    await tick();
    expect(batches).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = batcher.submit(2);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(batches).toEqual([[1, 2]]);
    releaseAll();
    expect(await Promise.all([first, second])).toEqual(['done 1', 'done 2']);
  });

  it('fails every caller of a batch whose write fails, and goes on with the next', async () => {
    let fail = true;
    const batcher = new Batcher<number, number>(async (items) => {
      if (fail) throw new Error('disk full');
      return items;
    });
    const failed = [batcher.submit(1), batcher.submit(2)];
    await expect(Promise.all(failed)).rejects.toThrow('disk full');
    await expect(failed[1]).rejects.toThrow('disk full');
    fail = false;
    expect(await batcher.submit(3)).toBe(3);
  });

  it('writes added items with the others, without a promise; a failed batch of them is reported once', async () => {
    const lost: [unknown, readonly number[]][] = [];
    let fail = false;
    const written: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        if (fail) throw new Error('disk full');
        written.push([...items]);
        return items;
      },
      { onLost: (error, items) => lost.push([error, items]) },
    );
    batcher.add(1);
    expect(await batcher.submit(2)).toBe(2);
    expect(written).toEqual([[1, 2]]);
    fail = true;
    batcher.add(3);
    batcher.add(4);
    await batcher.written();
    expect(lost).toHaveLength(1);
    expect(String(lost[0]?.[0])).toContain('disk full');
    expect(lost[0]?.[1]).toEqual([3, 4]);
  });

  it('written() waits for everything queued before it, even while a later batch finishes first', async () => {
    const releases: (() => void)[] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        await new Promise<void>((resolve) => releases.push(resolve));
        return items;
      },
      { maxInFlight: 2 },
    );
    batcher.add(1);
    await tick();
    batcher.add(2);
    await tick();
    expect(releases).toHaveLength(2);
    let done = false;
    const waiting = batcher.written().then(() => {
      done = true;
    });
    batcher.add(3);
    // The second batch is written first: the first still holds item 1.
    releases[1]?.();
    await tick();
    expect(done).toBe(false);
    releases[0]?.();
    await waiting;
    expect(done).toBe(true);
    // Item 3, added after the call, was not waited for; it is written with the next batch.
    await tick();
    expect(releases).toHaveLength(3);
    const later = batcher.written();
    releases[2]?.();
    await later;
  });
});
