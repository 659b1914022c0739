/** Conformance: the event log per execution and durable timers. */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../src/store/ports.ts';
import { seedExecutions, T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

function event(executionId: string, seq: number, payload: unknown = { seq }): StoredEvent {
  return { executionId, seq, type: seq === 1 ? 'execution.started' : 'node.finished', payload, at: T0 + seq };
}

export function eventAndTimerConformance(fixture: StoreFixture): void {
  describe('events', () => {
    it('appends in batches and reads from a position, in order', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 2);
      expect(await store.events.lastSeq('ex-000')).toBe(0);
      await store.events.append([event('ex-000', 1), event('ex-000', 2), event('ex-001', 1)]);
      await store.events.append([event('ex-000', 4), event('ex-000', 3)]);
      await store.events.append([]);
      expect(await store.events.list('ex-000', 0, 100)).toEqual(
        [1, 2, 3, 4].map((seq) => event('ex-000', seq)),
      );
      expect((await store.events.list('ex-000', 1, 2)).map((e) => e.seq)).toEqual([2, 3]);
      expect(await store.events.list('ex-000', 4, 100)).toEqual([]);
      expect(await store.events.list('ex-001', 0, 100)).toEqual([event('ex-001', 1)]);
      expect(await store.events.lastSeq('ex-000')).toBe(4);
    });

    it('ignores an event whose (execution, seq) is stored already', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 1);
      await store.events.append([event('ex-000', 1, 'first')]);
      await store.events.append([
        event('ex-000', 1, 'again'),
        event('ex-000', 2, 'new'),
        event('ex-000', 2, 'twice in one batch'),
      ]);
      expect((await store.events.list('ex-000', 0, 10)).map((e) => e.payload)).toEqual(['first', 'new']);
    });

    it('appends thousands of events in one call', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 1);
      await store.events.append(Array.from({ length: 5_000 }, (_, i) => event('ex-000', i + 1)));
      expect(await store.events.lastSeq('ex-000')).toBe(5_000);
      expect((await store.events.list('ex-000', 4_998, 10)).map((e) => e.seq)).toEqual([4_999, 5_000]);
    });
  });

  describe('timers', () => {
    it('keeps the first wake-up time stored under a key', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 2);
      expect(await store.timers.getOrCreate('ex-000', 'wait-1', T0 + 60_000)).toBe(T0 + 60_000);
      expect(await store.timers.getOrCreate('ex-000', 'wait-1', T0 + 99_000)).toBe(T0 + 60_000);
      expect(await store.timers.getOrCreate('ex-000', 'wait-2', T0 + 5)).toBe(T0 + 5);
      expect(await store.timers.getOrCreate('ex-001', 'wait-1', T0 + 7)).toBe(T0 + 7);
      const racing = await Promise.all(
        [1, 2, 3, 4].map((i) => store.timers.getOrCreate('ex-001', 'race', T0 + i)),
      );
      expect(new Set(racing).size).toBe(1);
    });
  });
}
