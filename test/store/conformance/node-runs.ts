/** Conformance: the node-run log and group-commit checkpoints. */
import { describe, expect, it } from 'vitest';
import { leaseOf, nodeRun, seedExecutions, T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

export function nodeRunConformance(fixture: StoreFixture): void {
  describe('node runs', () => {
    it('stores many executions’ runs in one checkpoint, refusing only the batches whose lease is lost', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 4);
      const leases = (await store.executions.claim('runner', 30_000, T0, 4)).map(leaseOf);
      const [a, b, c, d] = leases;
      await store.executions.finish(d!, { status: 'succeeded', output: null, error: null, now: T0 });
      const result = await store.nodeRuns.checkpoint([
        { lease: a!, runs: [nodeRun(a!.executionId, 'n1', 1), nodeRun(a!.executionId, 'n2', 2)] },
        { lease: { ...b!, owner: 'someone-else' }, runs: [nodeRun(b!.executionId, 'n1', 1)] },
        { lease: c!, runs: [nodeRun(c!.executionId, 'n1', 1)] },
        { lease: d!, runs: [nodeRun(d!.executionId, 'n1', 1)] },
        { lease: { executionId: 'missing', owner: 'runner', epoch: 1 }, runs: [] },
      ]);
      expect(result).toEqual([true, false, true, false, false]);
      expect((await store.nodeRuns.list(a!.executionId)).map((r) => r.nodeId)).toEqual(['n1', 'n2']);
      expect(await store.nodeRuns.list(b!.executionId)).toEqual([]);
      expect(await store.nodeRuns.list(c!.executionId)).toHaveLength(1);
      expect(await store.nodeRuns.list(d!.executionId)).toEqual([]);
      expect(await store.nodeRuns.checkpoint([])).toEqual([]);
    });

    it('reads the log back in seq order, every field intact', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 1);
      const [execution] = await store.executions.claim('runner', 30_000, T0, 1);
      const lease = leaseOf(execution!);
      const failed = nodeRun('ex-000', 'call-llm', 2, {
        status: 'failed',
        attempts: 3,
        outputs: null,
        error: {
          code: 'SY_NODE_TIMEOUT',
          message: 'slow',
          cause: { code: 'SY_NODE_FAILED', message: 'socket' },
        },
        tokensIn: 1_200,
        tokensOut: 345,
        costUsd: 0.004_56,
      });
      const looped = nodeRun('ex-000', 'body', 3, { scope: 'loop:0/1' });
      const first = nodeRun('ex-000', 'start', 1, { outputs: { main: { hello: 'world' } } });
      // Stored out of order, over two checkpoints.
      await store.nodeRuns.checkpoint([{ lease, runs: [looped, failed] }]);
      await store.nodeRuns.checkpoint([{ lease, runs: [first] }]);
      expect(await store.nodeRuns.list('ex-000')).toEqual([first, failed, looped]);
    });

    it('keeps the first result when the same node run is stored again', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 1);
      const [execution] = await store.executions.claim('runner', 30_000, T0, 1);
      const lease = leaseOf(execution!);
      const original = nodeRun('ex-000', 'a', 1, { outputs: { main: 'first' } });
      expect(await store.nodeRuns.checkpoint([{ lease, runs: [original] }])).toEqual([true]);
      const again = nodeRun('ex-000', 'a', 1, { outputs: { main: 'second' }, attempts: 2 });
      const sameScopeTwice = [
        nodeRun('ex-000', 'b', 2, { outputs: { main: 'x' } }),
        nodeRun('ex-000', 'b', 3, { outputs: { main: 'y' } }),
      ];
      expect(await store.nodeRuns.checkpoint([{ lease, runs: [again, ...sameScopeTwice] }])).toEqual([true]);
      const log = await store.nodeRuns.list('ex-000');
      expect(log.map((r) => [r.nodeId, r.outputs])).toEqual([
        ['a', { main: 'first' }],
        ['b', { main: 'x' }],
      ]);
    });

    it('commits a hundred executions × five runs in one checkpoint', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 100);
      const leases = (await store.executions.claim('runner', 30_000, T0, 100)).map(leaseOf);
      const batches = leases.map((lease) => ({
        lease,
        runs: ['a', 'b', 'c', 'd', 'e'].map((node, i) =>
          nodeRun(lease.executionId, node, i + 1, { outputs: { main: `${lease.executionId}/${node}` } }),
        ),
      }));
      expect(await store.nodeRuns.checkpoint(batches)).toEqual(leases.map(() => true));
      const sample = await store.nodeRuns.list('ex-057');
      expect(sample.map((r) => r.outputs)).toEqual(
        ['a', 'b', 'c', 'd', 'e'].map((n) => ({ main: `ex-057/${n}` })),
      );
    });
  });
}
