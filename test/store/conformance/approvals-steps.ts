/** Conformance: approvals (one decision wins; a decision made while the execution goes to sleep wakes it) and node steps. */
import { describe, expect, it } from 'vitest';
import { newExecution, T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

const ask = (id: string, executionId: string, nodeKey = 'n') => ({
  id,
  workspaceId: 'default',
  executionId,
  workflowId: 'wf-1',
  nodeKey,
  nodeId: 'check',
  request: { title: 'ok?', message: null, data: { n: 1 } },
  expiresAt: null,
  createdAt: T0,
});

export function approvalAndStepConformance(fixture: StoreFixture): void {
  describe('approvals and node steps', () => {
    it('opens one approval per node instance, and lets exactly one decision win', async () => {
      const store = await fixture.open();
      await store.executions.create(newExecution('ex-1'));
      const first = await store.approvals.open(ask('a1', 'ex-1'));
      const again = await store.approvals.open(ask('a2', 'ex-1'));
      expect(again.id).toBe(first.id);
      const decisions = await Promise.all(
        ['approved', 'rejected'].map((status) =>
          store.approvals.decide('default', 'a1', {
            status: status as 'approved' | 'rejected',
            decision: { data: { n: 2 }, comment: null },
            by: `user:${status}`,
            now: T0 + 1,
          }),
        ),
      );
      expect(decisions.filter((d) => d === 'decided')).toHaveLength(1);
      expect(
        await store.approvals.decide('other', 'a1', {
          status: 'approved',
          decision: { data: null, comment: null },
          by: 'x',
          now: T0,
        }),
      ).toBe('absent');
      expect(await store.approvals.get('other', 'a1')).toBeUndefined();
    });

    it('sleeps an execution, wakes it on a decision, and never loses one made while it went to sleep', async () => {
      const store = await fixture.open();
      await store.executions.create(newExecution('ex-1'));
      await store.executions.create(newExecution('ex-2'));
      const [one, two] = await store.executions.claim('runner', 60_000, T0, 2);
      const lease = (e: NonNullable<typeof one>) => ({
        executionId: e.id,
        owner: 'runner',
        epoch: e.leaseEpoch,
      });
      await store.approvals.open(ask('a1', 'ex-1'));
      await store.approvals.open(ask('a2', 'ex-2'));
      const decide = (id: string) =>
        store.approvals.decide('default', id, {
          status: 'approved',
          decision: { data: 1, comment: null },
          by: 'u',
          now: T0,
        });

      expect(await store.approvals.suspend(lease(one!), ['a1'])).toBe(true);
      expect((await store.executions.get('default', 'ex-1'))?.status).toBe('waiting');
      expect(await store.executions.claim('runner', 60_000, T0, 5)).toEqual([]);
      await decide('a1');
      expect((await store.executions.get('default', 'ex-1'))?.status).toBe('queued');

      // Decided before the runner got to suspend: it is queued, not put to sleep.
      await decide('a2');
      expect(await store.approvals.suspend(lease(two!), ['a2'])).toBe(true);
      expect((await store.executions.get('default', 'ex-2'))?.status).toBe('queued');
      // A stale lease cannot suspend.
      expect(await store.approvals.suspend({ executionId: 'ex-2', owner: 'someone', epoch: 9 }, ['a2'])).toBe(
        false,
      );
    });

    it('times out pending approvals past their deadline and wakes their executions', async () => {
      const store = await fixture.open();
      await store.executions.create(newExecution('ex-1'));
      const [running] = await store.executions.claim('runner', 60_000, T0, 1);
      await store.approvals.open({ ...ask('a1', 'ex-1'), expiresAt: T0 + 100 });
      await store.approvals.suspend({ executionId: 'ex-1', owner: 'runner', epoch: running!.leaseEpoch }, [
        'a1',
      ]);
      expect(await store.approvals.expire(T0 + 99)).toBe(0);
      expect(await store.approvals.expire(T0 + 100)).toBe(1);
      expect(await store.approvals.get('default', 'a1')).toMatchObject({
        status: 'timed-out',
        decidedBy: 'timeout',
      });
      expect((await store.executions.get('default', 'ex-1'))?.status).toBe('queued');
    });

    it('keeps the first recorded result of a step', async () => {
      const store = await fixture.open();
      await store.executions.create(newExecution('ex-1'));
      const step = { executionId: 'ex-1', nodeKey: 'agent', stepKey: 'model-1', now: T0 };
      expect(await store.steps.find('ex-1', 'agent', 'model-1')).toBeUndefined();
      expect(await store.steps.record({ ...step, result: { text: 'first' } })).toEqual({ text: 'first' });
      expect(await store.steps.record({ ...step, result: { text: 'second' } })).toEqual({ text: 'first' });
      expect(await store.steps.find('ex-1', 'agent', 'model-1')).toEqual({ result: { text: 'first' } });
    });
  });
}
