/** Conformance: the runners' group commit across kinds (starts, checkpoints, events, finishes). */
import { describe, expect, it } from 'vitest';
import { leaseOf, newExecution, nodeRun, seedExecutions, T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

export function journalConformance(fixture: StoreFixture): void {
  describe('journal', () => {
    it('writes starts, checkpoints, events and finishes in one commit, each with its own answer', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'old', 3);
      const [a, b, c] = (await store.executions.claim('runner', 30_000, T0, 3)).map(leaseOf);
      const outcome = await store.journal.commit({
        creates: [
          newExecution('new-1', { lease: { owner: 'runner', expiresAt: T0 + 30_000 } }),
          newExecution('old-000'),
          newExecution('new-2'),
        ],
        checkpoints: [
          // A run of an execution started in this same commit: starts are written first.
          {
            lease: { executionId: 'new-1', owner: 'runner', epoch: 1 },
            runs: [nodeRun('new-1', 'hook', 1)],
          },
          { lease: a!, runs: [nodeRun(a!.executionId, 'n1', 1)] },
          { lease: { ...b!, epoch: b!.epoch + 1 }, runs: [nodeRun(b!.executionId, 'n1', 1)] },
          // Finished below in the same commit: checkpoints come before finishes.
          { lease: c!, runs: [nodeRun(c!.executionId, 'last', 1)] },
        ],
        events: [
          { executionId: 'new-1', seq: 1, type: 'execution.started', payload: { input: 1 }, at: T0 },
          { executionId: a!.executionId, seq: 1, type: 'node.finished', payload: { nodeId: 'n1' }, at: T0 },
        ],
        finishes: [
          { lease: c!, outcome: { status: 'succeeded', output: { done: true }, error: null, now: T0 + 5 } },
          {
            lease: { ...b!, owner: 'thief' },
            outcome: { status: 'failed', output: null, error: null, now: T0 },
          },
        ],
      });

      expect(outcome.created).toEqual([true, false, true]);
      expect(await store.executions.get('default', 'new-1')).toMatchObject({
        status: 'running',
        leaseOwner: 'runner',
        leaseEpoch: 1,
      });
      expect(await store.executions.get('default', 'new-2')).toMatchObject({
        status: 'queued',
        leaseOwner: null,
        leaseEpoch: 0,
      });
      expect(outcome.held).toEqual([true, true, false, true]);
      expect(outcome.finished).toEqual([true, false]);

      expect((await store.nodeRuns.list('new-1')).map((run) => run.nodeId)).toEqual(['hook']);
      expect(await store.nodeRuns.list(b!.executionId)).toEqual([]);
      expect((await store.nodeRuns.list(c!.executionId)).map((run) => run.nodeId)).toEqual(['last']);
      expect((await store.events.list('new-1', 0, 10)).map((event) => event.type)).toEqual([
        'execution.started',
      ]);
      expect(await store.events.lastSeq(a!.executionId)).toBe(1);
      expect(await store.executions.get('default', c!.executionId)).toMatchObject({
        status: 'succeeded',
        output: { done: true },
      });
      expect((await store.executions.get('default', b!.executionId))?.status).toBe('running');
      // The execution that existed already was left as it was.
      expect((await store.executions.get('default', 'old-000'))?.status).toBe('running');
    });

    it('judges each checkpoint by its own lease when several of one execution share a commit', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'same', 1);
      const [lease] = (await store.executions.claim('runner', 30_000, T0, 1)).map(leaseOf);
      const outcome = await store.journal.commit({
        creates: [],
        checkpoints: [
          { lease: lease!, runs: [nodeRun(lease!.executionId, 'a', 1)] },
          { lease: { ...lease!, epoch: lease!.epoch - 1 }, runs: [nodeRun(lease!.executionId, 'stale', 2)] },
          { lease: { ...lease!, owner: 'thief' }, runs: [nodeRun(lease!.executionId, 'stolen', 3)] },
          { lease: lease!, runs: [nodeRun(lease!.executionId, 'b', 4)] },
        ],
        events: [],
        finishes: [],
      });
      expect(outcome.held).toEqual([true, false, false, true]);
      expect((await store.nodeRuns.list(lease!.executionId)).map((run) => run.nodeId)).toEqual(['a', 'b']);
    });

    it('writes nothing at all when one part fails', async () => {
      const store = await fixture.open();
      const failing = store.journal.commit({
        creates: [newExecution('kept-out')],
        checkpoints: [],
        // An event of an execution that does not exist breaks its foreign key.
        events: [{ executionId: 'nowhere', seq: 1, type: 'execution.started', payload: {}, at: T0 }],
        finishes: [],
      });
      await expect(failing).rejects.toThrow();
      expect(await store.executions.get('default', 'kept-out')).toBeUndefined();
    });

    it('answers an empty commit without writing', async () => {
      const store = await fixture.open();
      expect(await store.journal.commit({ creates: [], checkpoints: [], events: [], finishes: [] })).toEqual({
        created: [],
        held: [],
        finished: [],
      });
    });
  });
}
