/** Conformance: execution records, listing and cancellation. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE } from '../../../src/store/ports.ts';
import { claimOne, newExecution, seedExecutions, T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

export function executionConformance(fixture: StoreFixture): void {
  describe('executions', () => {
    it('stores an execution with every field and reads it back', async () => {
      const store = await fixture.open();
      const created = await store.executions.create(
        newExecution('ex-1', {
          workflowVersion: 3,
          trigger: { kind: 'webhook', path: '/hooks/orders', headers: { 'x-id': 'abc' } },
          entry: 'webhook-in',
          input: { order: { id: 7, lines: [1, 2] } },
          correlationId: 'corr-1',
          parentId: 'ex-0',
          replay: { executionId: 'ex-0', fromNode: 'classify' },
        }),
      );
      const expected = {
        id: 'ex-1',
        workspaceId: DEFAULT_WORKSPACE,
        workflowId: 'wf-1',
        workflowVersion: 3,
        status: 'queued',
        trigger: { kind: 'webhook', path: '/hooks/orders', headers: { 'x-id': 'abc' } },
        entry: 'webhook-in',
        input: { order: { id: 7, lines: [1, 2] } },
        output: null,
        error: null,
        correlationId: 'corr-1',
        parentId: 'ex-0',
        replay: { executionId: 'ex-0', fromNode: 'classify' },
        cancelRequested: false,
        createdAt: T0,
        startedAt: null,
        finishedAt: null,
        leaseOwner: null,
        leaseEpoch: 0,
        leaseExpiresAt: null,
      };
      expect(created).toEqual(expected);
      expect(await store.executions.get(DEFAULT_WORKSPACE, 'ex-1')).toEqual(expected);
      expect(await store.executions.get(DEFAULT_WORKSPACE, 'ex-2')).toBeUndefined();
    });

    it('defaults the optional fields and refuses a duplicate id', async () => {
      const store = await fixture.open();
      const created = await store.executions.create(newExecution('ex-1'));
      expect(created).toMatchObject({ entry: null, correlationId: null, parentId: null, replay: null });
      await expect(store.executions.create(newExecution('ex-1'))).rejects.toMatchObject({
        code: 'SY_STORE_CONFLICT',
      });
    });

    it('lists newest first with status and workflow filters, each execution exactly once', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'a', 12, { workflowId: 'wf-a' });
      await seedExecutions(store, 'b', 9, { workflowId: 'wf-b', now: T0 + 5 });
      const collect = async (filter: { status?: 'queued' | 'running'; workflowId?: string }) => {
        const ids: string[] = [];
        let after: string | undefined;
        do {
          const page = await store.executions.list(DEFAULT_WORKSPACE, {
            limit: 4,
            ...filter,
            ...(after ? { after } : {}),
          });
          ids.push(...page.items.map((e) => e.id));
          after = page.next;
        } while (after !== undefined);
        return ids;
      };
      const all = await collect({});
      expect(all).toHaveLength(21);
      expect(new Set(all).size).toBe(21);
      const everything = await store.executions.list(DEFAULT_WORKSPACE, { limit: 500 });
      const times = everything.items.map((e) => e.createdAt);
      expect(times).toEqual([...times].sort((x, y) => y - x));
      expect(everything.items.map((e) => e.id)).toEqual(all);
      expect(await collect({ workflowId: 'wf-b' })).toEqual([
        'b-008',
        'b-007',
        'b-006',
        'b-005',
        'b-004',
        'b-003',
        'b-002',
        'b-001',
        'b-000',
      ]);
      // Claims take the oldest: a-000…a-002 (wf-b starts at T0 + 5).
      await store.executions.claim('runner', 1_000, T0, 3);
      expect(await collect({ status: 'running' })).toEqual(['a-002', 'a-001', 'a-000']);
      expect(await collect({ status: 'queued', workflowId: 'wf-a' })).toHaveLength(9);
    });

    it('records a cancellation request for unfinished executions only', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 1);
      expect(await store.executions.requestCancel(DEFAULT_WORKSPACE, 'ex-000')).toBe(true);
      expect((await store.executions.get(DEFAULT_WORKSPACE, 'ex-000'))?.cancelRequested).toBe(true);
      const lease = await claimOne(store, 'runner');
      expect(await store.executions.requestCancel(DEFAULT_WORKSPACE, 'ex-000')).toBe(true);
      expect(await store.executions.get(DEFAULT_WORKSPACE, 'ex-000')).toMatchObject({
        status: 'running',
        cancelRequested: true,
      });
      await store.executions.finish(lease, { status: 'cancelled', output: null, error: null, now: T0 + 1 });
      expect(await store.executions.requestCancel(DEFAULT_WORKSPACE, 'ex-000')).toBe(false);
      expect(await store.executions.requestCancel(DEFAULT_WORKSPACE, 'ex-404')).toBe(false);
    });
  });
}
