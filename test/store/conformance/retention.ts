/** Conformance: pruning finished executions by age and by count, with everything that hangs off them. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE, type Store } from '../../../src/store/ports.ts';
import { leaseOf, newExecution, nodeRun, T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

/** Creates an execution of `workflowId`, runs one node, and finishes it at `finishedAt` (or leaves it running). */
async function execution(store: Store, id: string, workflowId: string, finishedAt: number | null) {
  await store.executions.create(newExecution(id, { workflowId, now: T0 }));
  const [claimed] = await store.executions.claim('runner', 60_000, T0, 1);
  const lease = leaseOf(claimed!);
  await store.nodeRuns.checkpoint([{ lease, runs: [nodeRun(id, 'a', 1)] }]);
  await store.events.append([{ executionId: id, seq: 1, type: 'execution.started', payload: {}, at: T0 }]);
  await store.timers.getOrCreate(id, 'wait', T0 + 1);
  if (finishedAt !== null) {
    await store.executions.finish(lease, {
      status: 'failed',
      output: null,
      error: { code: 'X', message: 'x' },
      now: finishedAt,
    });
    await store.deadLetters.add({
      executionId: id,
      workspaceId: DEFAULT_WORKSPACE,
      workflowId,
      reason: { code: 'X', message: 'x' },
      createdAt: finishedAt,
    });
  }
}

async function remaining(store: Store): Promise<string[]> {
  const page = await store.executions.list(DEFAULT_WORKSPACE, { limit: 500 });
  return page.items.map((e) => e.id).sort();
}

export function retentionConformance(fixture: StoreFixture): void {
  describe('retention', () => {
    it('prunes executions that finished before a time, with their runs, events, timers and dead letters', async () => {
      const store = await fixture.open();
      await execution(store, 'old', 'wf-1', T0 + 100);
      await execution(store, 'recent', 'wf-1', T0 + 500);
      await execution(store, 'running', 'wf-1', null);
      expect(await store.executions.prune({ finishedBefore: T0 + 500 })).toBe(1);
      expect(await remaining(store)).toEqual(['recent', 'running']);
      expect(await store.nodeRuns.list('old')).toEqual([]);
      expect(await store.events.list('old', 0, 10)).toEqual([]);
      expect(await store.events.lastSeq('old')).toBe(0);
      expect(await store.deadLetters.get(DEFAULT_WORKSPACE, 'old')).toBeUndefined();
      // The timer went too: a new one under the same key is stored afresh.
      await store.executions.create(newExecution('old', { now: T0 }));
      expect(await store.timers.getOrCreate('old', 'wait', T0 + 7)).toBe(T0 + 7);
      expect(await store.nodeRuns.list('recent')).toHaveLength(1);
      expect(await store.events.lastSeq('recent')).toBe(1);
    });

    it('keeps the newest finished executions per workflow', async () => {
      const store = await fixture.open();
      for (let i = 0; i < 5; i++) await execution(store, `a-${i}`, 'wf-a', T0 + 100 + i);
      for (let i = 0; i < 2; i++) await execution(store, `b-${i}`, 'wf-b', T0 + 100 + i);
      await execution(store, 'a-running', 'wf-a', null);
      expect(await store.executions.prune({ keepPerWorkflow: 2 })).toBe(3);
      expect(await remaining(store)).toEqual(['a-3', 'a-4', 'a-running', 'b-0', 'b-1']);
      expect(await store.nodeRuns.list('a-0')).toEqual([]);
      expect(await store.executions.prune({ keepPerWorkflow: 2 })).toBe(0);
      expect(await store.executions.prune({ keepPerWorkflow: 0, finishedBefore: T0 + 101 })).toBe(4);
      expect(await remaining(store)).toEqual(['a-running']);
      expect(await store.executions.prune({})).toBe(0);
    });

    it('prunes more executions than one delete chunk holds', async () => {
      const store = await fixture.open();
      const total = 2_345;
      for (let i = 0; i < total; i++) await store.executions.create(newExecution(`ex-${i}`, { now: T0 + i }));
      for (;;) {
        const claimed = await store.executions.claim('runner', 60_000, T0, 500);
        if (claimed.length === 0) break;
        for (const e of claimed)
          await store.executions.finish(leaseOf(e), {
            status: 'succeeded',
            output: null,
            error: null,
            now: T0 + 1,
          });
      }
      expect(await store.executions.prune({ keepPerWorkflow: 10 })).toBe(total - 10);
      expect((await store.executions.list(DEFAULT_WORKSPACE, { limit: 500 })).items).toHaveLength(10);
    });
  });
}
