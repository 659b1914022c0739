/** Conformance: claims, lease expiry, fencing epochs, renew, finish and release. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE, type Store } from '../../../src/store/ports.ts';
import { claimOne, leaseOf, nodeRun, seedExecutions, T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

const LEASE_MS = 30_000;

export function leaseConformance(fixture: StoreFixture): void {
  describe('leases', () => {
    it('claims queued executions oldest first, up to the limit, with a fresh lease', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 5);
      const claimed = await store.executions.claim('runner-1', LEASE_MS, T0 + 100, 3);
      expect(claimed.map((e) => e.id)).toEqual(['ex-000', 'ex-001', 'ex-002']);
      for (const execution of claimed) {
        expect(execution).toMatchObject({
          status: 'running',
          leaseOwner: 'runner-1',
          leaseEpoch: 1,
          leaseExpiresAt: T0 + 100 + LEASE_MS,
          startedAt: T0 + 100,
        });
      }
      expect(await store.executions.get(DEFAULT_WORKSPACE, 'ex-000')).toEqual(claimed[0]);
      // Live leases are not handed out again.
      expect((await store.executions.claim('runner-2', LEASE_MS, T0 + 200, 10)).map((e) => e.id)).toEqual([
        'ex-003',
        'ex-004',
      ]);
      expect(await store.executions.claim('runner-2', LEASE_MS, T0 + 300, 10)).toEqual([]);
      expect(await store.executions.claim('runner-2', LEASE_MS, T0 + 300, 0)).toEqual([]);
    });

    it('never gives one execution to two concurrent claimers', async () => {
      const store = await fixture.open();
      const ids = await seedExecutions(store, 'ex', 60);
      const rounds = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.executions.claim(`runner-${i}`, LEASE_MS, T0 + 100, 7)),
      );
      const claimed = rounds.flat().map((e) => e.id);
      expect(new Set(claimed).size).toBe(claimed.length);
      // Whatever the first wave left is still claimable, once.
      const rest = await store.executions.claim('late', LEASE_MS, T0 + 100, 100);
      expect([...claimed, ...rest.map((e) => e.id)].sort()).toEqual(ids);
      for (const execution of rounds.flat()) expect(execution.leaseEpoch).toBe(1);
    });

    it('re-claims a running execution whose lease expired, with epoch + 1, keeping startedAt', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 1);
      const first = await claimOne(store, 'runner-1', T0 + 10, 1_000);
      expect(await store.executions.claim('runner-2', 1_000, T0 + 10 + 999, 10)).toEqual([]);
      const [again] = await store.executions.claim('runner-2', 1_000, T0 + 10 + 1_000, 10);
      expect(again).toMatchObject({
        id: 'ex-000',
        status: 'running',
        leaseOwner: 'runner-2',
        leaseEpoch: first.epoch + 1,
        leaseExpiresAt: T0 + 2_010,
        startedAt: T0 + 10,
      });
    });

    it("refuses a stale owner's checkpoint and finish once another runner re-claimed", async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 1);
      const stale = await claimOne(store, 'runner-old', T0, 1_000);
      await store.nodeRuns.checkpoint([{ lease: stale, runs: [nodeRun('ex-000', 'a', 1)] }]);
      const fresh = await claimOne(store, 'runner-new', T0 + 5_000, 1_000);
      expect(fresh.epoch).toBe(stale.epoch + 1);

      expect(await store.nodeRuns.checkpoint([{ lease: stale, runs: [nodeRun('ex-000', 'b', 2)] }])).toEqual([
        false,
      ]);
      expect(
        await store.executions.finish(stale, {
          status: 'failed',
          output: null,
          error: { code: 'SY_X', message: 'zombie' },
          now: T0 + 6_000,
        }),
      ).toBe(false);
      expect(await store.executions.release(stale)).toBe(false);
      expect(await store.executions.renew([stale], 1_000, T0 + 6_000)).toEqual([]);
      expect((await store.nodeRuns.list('ex-000')).map((r) => r.nodeId)).toEqual(['a']);
      expect(await store.executions.get(DEFAULT_WORKSPACE, 'ex-000')).toMatchObject({
        status: 'running',
        leaseOwner: 'runner-new',
        leaseEpoch: fresh.epoch,
        leaseExpiresAt: T0 + 6_000,
        error: null,
      });

      expect(await store.nodeRuns.checkpoint([{ lease: fresh, runs: [nodeRun('ex-000', 'b', 2)] }])).toEqual([
        true,
      ]);
      expect(
        await store.executions.finish(fresh, {
          status: 'succeeded',
          output: { done: true },
          error: null,
          now: T0 + 7_000,
        }),
      ).toBe(true);
      expect((await store.nodeRuns.list('ex-000')).map((r) => r.nodeId)).toEqual(['a', 'b']);
    });

    it('re-claims its own expired lease on a run it let go of, never one it still runs', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 2);
      await store.executions.claim('runner-1', 100, T0, 2);
      // Both leases have expired; the runner still runs ex-000 but dropped ex-001.
      const again = await store.executions.claim('runner-1', 100, T0 + 1_000, 5, ['ex-000']);
      expect(again.map((e) => [e.id, e.leaseEpoch])).toEqual([['ex-001', 2]]);
      const byOther = await store.executions.claim('runner-2', 100, T0 + 1_000, 5);
      expect(byOther.map((e) => e.id)).toEqual(['ex-000']);
    });

    it('renews only the leases still held', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 3);
      const claimed = await store.executions.claim('runner', 1_000, T0, 3);
      const [a, b, c] = claimed.map(leaseOf);
      await store.executions.finish(c!, { status: 'succeeded', output: null, error: null, now: T0 + 1 });
      const forged = { ...b!, epoch: b!.epoch + 7 };
      const renewed = await store.executions.renew(
        [a!, forged, c!, { executionId: 'nope', owner: 'runner', epoch: 1 }],
        5_000,
        T0 + 500,
      );
      expect(renewed).toEqual([a!.executionId]);
      expect((await store.executions.get(DEFAULT_WORKSPACE, a!.executionId))?.leaseExpiresAt).toBe(
        T0 + 5_500,
      );
      expect((await store.executions.get(DEFAULT_WORKSPACE, b!.executionId))?.leaseExpiresAt).toBe(
        T0 + 1_000,
      );
      expect(await store.executions.renew([], 5_000, T0)).toEqual([]);
    });

    it('finishes once, with the outcome, and drops the lease', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 1);
      const lease = await claimOne(store, 'runner');
      const error = { code: 'SY_NODE_FAILED', message: 'boom', hint: 'read it', details: { node: 'a' } };
      expect(
        await store.executions.finish(lease, {
          status: 'failed',
          output: { partial: [1] },
          error,
          now: T0 + 42,
        }),
      ).toBe(true);
      expect(await store.executions.get(DEFAULT_WORKSPACE, 'ex-000')).toMatchObject({
        status: 'failed',
        output: { partial: [1] },
        error,
        finishedAt: T0 + 42,
        leaseOwner: null,
        leaseExpiresAt: null,
      });
      expect(
        await store.executions.finish(lease, {
          status: 'succeeded',
          output: null,
          error: null,
          now: T0 + 43,
        }),
      ).toBe(false);
      expect((await store.executions.get(DEFAULT_WORKSPACE, 'ex-000'))?.status).toBe('failed');
      // A finished execution is never claimed again, however old.
      expect(await store.executions.claim('runner-2', LEASE_MS, T0 + 10 * LEASE_MS, 10)).toEqual([]);
    });

    it('finishes many executions in one call, each a compare-and-set of its own', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 3);
      const claimed = await store.executions.claim('runner', LEASE_MS, T0 + 1, 3);
      const leases = claimed.map((e) => ({ executionId: e.id, owner: 'runner', epoch: e.leaseEpoch }));
      const stale = { ...leases[2]!, epoch: leases[2]!.epoch - 1 };
      const outcome = (n: number) => ({
        status: 'succeeded' as const,
        output: { n },
        error: null,
        now: T0 + 9,
      });
      expect(
        await store.executions.finishMany([
          { lease: leases[0]!, outcome: outcome(0) },
          { lease: leases[1]!, outcome: outcome(1) },
          { lease: stale, outcome: outcome(2) },
        ]),
      ).toEqual([true, true, false]);
      expect((await store.executions.get(DEFAULT_WORKSPACE, 'ex-001'))?.output).toEqual({ n: 1 });
      expect((await store.executions.get(DEFAULT_WORKSPACE, 'ex-002'))?.status).toBe('running');
      expect(await store.executions.finishMany([])).toEqual([]);
    });

    it('requeues every running execution for a sole runner taking over', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 3);
      await store.executions.claim('dead', LEASE_MS, T0 + 1, 2);
      expect(await store.executions.requeueRunning()).toBe(2);
      const claimed = await store.executions.claim('alive', LEASE_MS, T0 + 2, 5);
      expect(claimed.map((e) => [e.id, e.leaseEpoch])).toEqual([
        ['ex-000', 2],
        ['ex-001', 2],
        ['ex-002', 1],
      ]);
    });

    it('creates many executions in one call, leaving out ids that exist', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 1);
      const template = {
        workspaceId: DEFAULT_WORKSPACE,
        workflowId: 'wf-1',
        workflowVersion: 1,
        trigger: { kind: 'api' },
        input: { n: 2 },
        now: T0 + 5,
      };
      const created = await store.executions.createMany([
        { ...template, id: 'new-1' },
        { ...template, id: 'ex-000' },
        { ...template, id: 'new-2' },
      ]);
      expect(created.map((e) => e?.id)).toEqual(['new-1', undefined, 'new-2']);
      expect((await store.executions.get(DEFAULT_WORKSPACE, 'new-2'))?.input).toEqual({ n: 2 });
      expect((await store.executions.get(DEFAULT_WORKSPACE, 'ex-000'))?.input).toEqual({ n: 1 });
      expect(await store.executions.createMany([])).toEqual([]);
    });

    it('reports which executions someone asked to cancel', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 3);
      expect(await store.executions.requestCancel(DEFAULT_WORKSPACE, 'ex-001')).toBe(true);
      expect(await store.executions.requestCancel('another-workspace', 'ex-002')).toBe(false);
      expect(await store.executions.cancelRequested(['ex-000', 'ex-001', 'ex-002'])).toEqual(['ex-001']);
      expect(await store.executions.cancelRequested([])).toEqual([]);
    });

    it('release queues the execution again for the next claim', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'ex', 1);
      const lease = await claimOne(store, 'runner-1', T0 + 1);
      expect(await store.executions.release(lease)).toBe(true);
      expect(await store.executions.get(DEFAULT_WORKSPACE, 'ex-000')).toMatchObject({
        status: 'queued',
        leaseOwner: null,
      });
      const next = await claimOne(store, 'runner-2', T0 + 2);
      expect(next).toEqual({ executionId: 'ex-000', owner: 'runner-2', epoch: lease.epoch + 1 });
      expect((await store.executions.get(DEFAULT_WORKSPACE, 'ex-000'))?.startedAt).toBe(T0 + 1);
    });

    it('takes executions of dead runners before queued ones, even older queued ones', async () => {
      const store = await fixture.open();
      await seedExecutions(store, 'abandoned', 1, { now: T0 + 10 });
      await claimOne(store, 'dead-runner', T0 + 10, 1_000);
      await seedExecutions(store, 'waiting', 1, { now: T0 });
      const [first] = await store.executions.claim('runner', LEASE_MS, T0 + 5_000, 1);
      expect(first?.id).toBe('abandoned-000');
      const [second] = await store.executions.claim('runner', LEASE_MS, T0 + 5_000, 1);
      expect(second?.id).toBe('waiting-000');
    });

    // SQLite admits one process per file; test/store/sqlite-lock.test.ts checks that instead.
    if (fixture.shared) {
      it('never gives one execution to claimers in two processes', async () => {
        const config = await fixture.database();
        const stores: Store[] = [
          await fixture.open(config),
          await fixture.open(config),
          await fixture.open(config),
        ];
        const ids = await seedExecutions(stores[0]!, 'ex', 150);
        const claimed: string[] = [];
        await Promise.all(
          stores.flatMap((store, s) =>
            Array.from({ length: 4 }, async (_, w) => {
              for (;;) {
                const batch = await store.executions.claim(`runner-${s}-${w}`, LEASE_MS, T0 + 100, 5);
                if (batch.length === 0) return;
                claimed.push(...batch.map((e) => e.id));
              }
            }),
          ),
        );
        expect(claimed.sort()).toEqual(ids);
      });
    }
  });
}
