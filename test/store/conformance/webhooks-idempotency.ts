/** Conformance: webhook delivery reservations and Idempotency-Key reservations, including races. */
import { describe, expect, it } from 'vitest';
import type { IdempotencyKey } from '../../../src/store/ports.ts';
import { T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

const KEY: IdempotencyKey = { workspaceId: 'ws-idem', scope: 'POST /api/v1/workflows', key: 'k-1' };
const claim = (fingerprint: string, now = T0) => ({
  fingerprint,
  now,
  expiresAt: now + 1000,
  staleBefore: now - 500,
});
const answer = { status: 201, headers: { location: '/x' }, body: '{"id":"é\\u0000"}' };

export function webhookAndIdempotencyConformance(fixture: StoreFixture): void {
  describe('webhook deliveries', () => {
    it('reserves a delivery once, then tells repeats the execution it started', async () => {
      const store = await fixture.open();
      const { webhookDeliveries: deliveries } = store;
      expect(await deliveries.reserve('wf-1', 'd-1', T0, T0 - 100)).toEqual({ first: true });
      expect(await deliveries.reserve('wf-1', 'd-1', T0 + 1, T0 - 100)).toEqual({
        first: false,
        executionId: null,
      });
      await deliveries.complete('wf-1', 'd-1', 'ex-1');
      expect(await deliveries.reserve('wf-1', 'd-1', T0 + 2, T0 + 1)).toEqual({
        first: false,
        executionId: 'ex-1',
      });
      // Ids are per workflow.
      expect(await deliveries.reserve('wf-2', 'd-1', T0, T0 - 100)).toEqual({ first: true });
    });

    it('lets exactly one of many concurrent reservations win', async () => {
      const store = await fixture.open();
      const claims = await Promise.all(
        Array.from({ length: 8 }, () => store.webhookDeliveries.reserve('wf-1', 'same', T0, T0 - 100)),
      );
      expect(claims.filter((c) => c.first)).toHaveLength(1);
    });

    it('releases a failed start, takes over a stale reservation, never one with an execution, and prunes', async () => {
      const store = await fixture.open();
      const { webhookDeliveries: deliveries } = store;
      await deliveries.reserve('wf-1', 'd-1', T0, T0);
      await deliveries.release('wf-1', 'd-1');
      expect(await deliveries.reserve('wf-1', 'd-1', T0 + 1, T0)).toEqual({ first: true });
      // Its holder died: older than staleBefore and still without an execution.
      expect(await deliveries.reserve('wf-1', 'd-1', T0 + 10, T0 + 5)).toEqual({ first: true });
      await deliveries.complete('wf-1', 'd-1', 'ex-1');
      await deliveries.release('wf-1', 'd-1');
      expect(await deliveries.reserve('wf-1', 'd-1', T0 + 99, T0 + 50)).toEqual({
        first: false,
        executionId: 'ex-1',
      });
      await deliveries.reserve('wf-1', 'd-2', T0 + 20, T0);
      expect(await deliveries.prune(T0 + 15)).toBe(1);
      expect(await deliveries.reserve('wf-1', 'd-1', T0 + 30, T0)).toEqual({ first: true });
      expect(await deliveries.reserve('wf-1', 'd-2', T0 + 30, T0)).toEqual({
        first: false,
        executionId: null,
      });
    });
  });

  describe('idempotency keys', () => {
    it('reserves a key once, keeps its fingerprint, stores and returns the first response', async () => {
      const store = await fixture.open();
      const { idempotency } = store;
      expect(await idempotency.reserve(KEY, claim('f1'))).toEqual({ first: true });
      expect(await idempotency.reserve(KEY, claim('f2', T0 + 1))).toEqual({
        first: false,
        fingerprint: 'f1',
        response: null,
      });
      await idempotency.complete(KEY, answer);
      expect(await idempotency.reserve(KEY, claim('f1', T0 + 2))).toEqual({
        first: false,
        fingerprint: 'f1',
        response: answer,
      });
      // Scoped by workspace and route.
      expect(await idempotency.reserve({ ...KEY, workspaceId: 'other' }, claim('f1'))).toEqual({
        first: true,
      });
      expect(await idempotency.reserve({ ...KEY, scope: 'POST /other' }, claim('f1'))).toEqual({
        first: true,
      });
    });

    it('lets exactly one of many concurrent reservations win', async () => {
      const store = await fixture.open();
      const claims = await Promise.all(
        Array.from({ length: 8 }, () => store.idempotency.reserve(KEY, claim('f'))),
      );
      expect(claims.filter((c) => c.first)).toHaveLength(1);
    });

    it('takes over an expired key or a stale reservation, releases only unanswered ones, and prunes', async () => {
      const store = await fixture.open();
      const { idempotency } = store;
      await idempotency.reserve(KEY, claim('f1'));
      await idempotency.release(KEY);
      expect(await idempotency.reserve(KEY, claim('f2', T0 + 1))).toEqual({ first: true });
      // Unanswered and older than staleBefore: its request died.
      expect(await idempotency.reserve(KEY, claim('f3', T0 + 600))).toEqual({ first: true });
      await idempotency.complete(KEY, answer);
      await idempotency.release(KEY);
      expect(await idempotency.reserve(KEY, claim('f4', T0 + 1200))).toMatchObject({
        first: false,
        response: answer,
      });
      // Expired (expiresAt = T0 + 600 + 1000).
      expect(await idempotency.reserve(KEY, claim('f5', T0 + 1600))).toEqual({ first: true });
      const other = { ...KEY, key: 'k-2' };
      await idempotency.reserve(other, claim('f', T0 + 5000));
      await idempotency.complete(other, answer);
      expect(await idempotency.prune(T0 + 5999)).toBe(1);
      expect(await idempotency.reserve(KEY, claim('f6', T0 + 6000))).toEqual({ first: true });
      expect(await idempotency.reserve(other, claim('g', T0 + 5999))).toMatchObject({
        first: false,
        fingerprint: 'f',
      });
    });
  });
}
