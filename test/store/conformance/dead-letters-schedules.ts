/** Conformance: the dead-letter list and cron schedules. */
import { describe, expect, it } from 'vitest';
import type { StoredSchedule } from '../../../src/store/ports.ts';
import { seedExecutions, T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

const WS = 'ws-ops';

function schedule(
  id: string,
  overrides: Partial<StoredSchedule> = {},
): Omit<StoredSchedule, 'lastFiredAt' | 'updatedAt'> {
  return {
    id,
    workspaceId: WS,
    workflowId: 'wf-1',
    cron: '*/5 * * * *',
    timezone: 'Europe/Paris',
    misfire: 'skip',
    enabled: true,
    input: { from: 'cron' },
    nextFireAt: T0 + 300_000,
    createdAt: T0,
    ...overrides,
  };
}

export function deadLetterAndScheduleConformance(fixture: StoreFixture): void {
  describe('dead letters', () => {
    it('lists letters newest first, hides retried ones, and marks a retry once', async () => {
      const store = await fixture.open();
      const ids = await seedExecutions(store, 'ex', 7, { workspaceId: WS });
      for (const [i, id] of ids.entries()) {
        await store.deadLetters.add({
          executionId: id,
          workspaceId: WS,
          workflowId: 'wf-1',
          reason: { code: 'SY_NODE_FAILED', message: `failure ${i}`, details: { attempt: 3 } },
          createdAt: T0 + i,
        });
      }
      // Adding again (a runner that resumed) changes nothing.
      await store.deadLetters.add({
        executionId: 'ex-000',
        workspaceId: WS,
        workflowId: 'wf-1',
        reason: { code: 'X', message: 'again' },
        createdAt: T0 + 99,
      });
      expect(await store.deadLetters.get(WS, 'ex-000')).toEqual({
        executionId: 'ex-000',
        workspaceId: WS,
        workflowId: 'wf-1',
        reason: { code: 'SY_NODE_FAILED', message: 'failure 0', details: { attempt: 3 } },
        createdAt: T0,
        retriedAt: null,
        retryExecutionId: null,
      });
      expect(await store.deadLetters.markRetried(WS, 'ex-003', 'retry-1', T0 + 50)).toBe(true);
      expect(await store.deadLetters.markRetried(WS, 'ex-003', 'retry-2', T0 + 51)).toBe(false);
      expect(await store.deadLetters.get(WS, 'ex-003')).toMatchObject({
        retriedAt: T0 + 50,
        retryExecutionId: 'retry-1',
      });

      const pageThrough = async (includeRetried: boolean) => {
        const seen: string[] = [];
        let after: string | undefined;
        do {
          const page = await store.deadLetters.list(WS, {
            limit: 2,
            includeRetried,
            ...(after ? { after } : {}),
          });
          seen.push(...page.items.map((l) => l.executionId));
          after = page.next;
        } while (after !== undefined);
        return seen;
      };
      expect(await pageThrough(false)).toEqual(['ex-006', 'ex-005', 'ex-004', 'ex-002', 'ex-001', 'ex-000']);
      expect(await pageThrough(true)).toEqual([
        'ex-006',
        'ex-005',
        'ex-004',
        'ex-003',
        'ex-002',
        'ex-001',
        'ex-000',
      ]);
    });
  });

  describe('schedules', () => {
    it('creates, reads, updates and deletes a schedule', async () => {
      const store = await fixture.open();
      const created = await store.schedules.create(schedule('s-1'));
      expect(created).toEqual({ ...schedule('s-1'), lastFiredAt: null, updatedAt: T0 });
      expect(await store.schedules.get(WS, 's-1')).toEqual(created);
      const updated = await store.schedules.update(WS, 's-1', {
        enabled: false,
        input: [1, 'two'],
        misfire: 'catchUp',
        now: T0 + 9,
      });
      expect(updated).toEqual({
        ...created,
        enabled: false,
        input: [1, 'two'],
        misfire: 'catchUp',
        updatedAt: T0 + 9,
      });
      const moved = await store.schedules.update(WS, 's-1', {
        cron: '0 9 * * 1',
        timezone: 'UTC',
        nextFireAt: null,
        now: T0 + 10,
      });
      expect(moved).toMatchObject({
        cron: '0 9 * * 1',
        timezone: 'UTC',
        nextFireAt: null,
        enabled: false,
        input: [1, 'two'],
      });
      expect(await store.schedules.update(WS, 's-404', { enabled: true, now: T0 })).toBeUndefined();
      expect(await store.schedules.delete(WS, 's-1')).toBe(true);
      expect(await store.schedules.delete(WS, 's-1')).toBe(false);
      expect(await store.schedules.get(WS, 's-1')).toBeUndefined();
      await expect(store.schedules.create(schedule('s-2'))).resolves.toBeDefined();
      await expect(store.schedules.create(schedule('s-2'))).rejects.toMatchObject({
        code: 'SY_STORE_CONFLICT',
      });
    });

    it('pages through schedules newest first', async () => {
      const store = await fixture.open();
      for (let i = 0; i < 5; i++) await store.schedules.create(schedule(`s-${i}`, { createdAt: T0 + i }));
      const first = await store.schedules.list(WS, { limit: 3 });
      const second = await store.schedules.list(WS, { limit: 3, after: first.next! });
      expect([...first.items, ...second.items].map((s) => s.id)).toEqual(['s-4', 's-3', 's-2', 's-1', 's-0']);
      expect(second.next).toBeUndefined();
    });

    it('lists due, enabled schedules soonest first', async () => {
      const store = await fixture.open();
      await store.schedules.create(schedule('late', { nextFireAt: T0 + 30 }));
      await store.schedules.create(schedule('soon', { nextFireAt: T0 + 10 }));
      await store.schedules.create(schedule('off', { nextFireAt: T0 + 5, enabled: false }));
      await store.schedules.create(schedule('never', { nextFireAt: null }));
      await store.schedules.create(schedule('future', { nextFireAt: T0 + 1_000 }));
      expect((await store.schedules.due(T0 + 30, 10)).map((s) => s.id)).toEqual(['soon', 'late']);
      expect((await store.schedules.due(T0 + 30, 1)).map((s) => s.id)).toEqual(['soon']);
      expect(await store.schedules.due(T0, 10)).toEqual([]);
    });

    it('advances a schedule once per firing, even when raced', async () => {
      const store = await fixture.open();
      await store.schedules.create(schedule('s-1', { nextFireAt: T0 + 10 }));
      const raced = await Promise.all(
        [1, 2, 3, 4, 5].map(() => store.schedules.advance('s-1', T0 + 10, T0 + 20, T0 + 11)),
      );
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await store.schedules.get(WS, 's-1')).toMatchObject({
        nextFireAt: T0 + 20,
        lastFiredAt: T0 + 11,
      });
      expect(await store.schedules.advance('s-1', T0 + 10, T0 + 30, T0 + 12)).toBe(false);
      expect(await store.schedules.advance('s-1', T0 + 20, null, T0 + 21)).toBe(true);
      expect(await store.schedules.get(WS, 's-1')).toMatchObject({ nextFireAt: null, lastFiredAt: T0 + 21 });
    });
  });
}
