/** Conformance: the LLM ledger and its totals, budgets that hold under concurrency, the response cache. */
import { describe, expect, it } from 'vitest';
import type { LlmCall } from '../../../src/store/llm-ports.ts';
import { T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

const DAY = 86_400_000;
const starts = { day: T0 - (T0 % DAY), month: T0 - 20 * DAY };

const call = (id: string, overrides: Partial<LlmCall> = {}): LlmCall => ({
  id,
  workspaceId: 'ws-a',
  workflowId: 'wf-1',
  executionId: 'ex-1',
  nodeId: 'ask',
  route: null,
  provider: 'openai',
  model: 'gpt-4o-mini',
  inputTokens: 100,
  outputTokens: 50,
  cachedInputTokens: 0,
  cacheHit: false,
  latencyMs: 120,
  costMicros: 1_000,
  status: 'succeeded',
  errorCode: null,
  createdAt: T0,
  ...overrides,
});

export function llmConformance(fixture: StoreFixture): void {
  describe('LLM ledger, budgets and cache', () => {
    it('records calls and totals them by day, model and workflow, per workspace', async () => {
      const store = await fixture.open();
      await store.ledger.record(call('c1'));
      await store.ledger.record(call('c2', { model: 'gpt-4o', costMicros: 5_000, createdAt: T0 + DAY }));
      await store.ledger.record(
        call('c3', { workflowId: null, cacheHit: true, costMicros: 0, createdAt: T0 + 1 }),
      );
      await store.ledger.record(call('c4', { workspaceId: 'ws-b', costMicros: 9_999 }));
      const range = { from: T0 - DAY, to: T0 + 2 * DAY };
      expect(await store.ledger.totals('ws-a', { ...range, by: 'model' })).toEqual([
        {
          key: 'openai/gpt-4o',
          calls: 1,
          inputTokens: 100,
          outputTokens: 50,
          costMicros: 5_000,
          cacheHits: 0,
        },
        {
          key: 'openai/gpt-4o-mini',
          calls: 2,
          inputTokens: 200,
          outputTokens: 100,
          costMicros: 1_000,
          cacheHits: 1,
        },
      ]);
      const byDay = await store.ledger.totals('ws-a', { ...range, by: 'day' });
      expect(byDay.map((d) => [d.key, d.calls, d.costMicros])).toEqual([
        [new Date(T0).toISOString().slice(0, 10), 2, 1_000],
        [new Date(T0 + DAY).toISOString().slice(0, 10), 1, 5_000],
      ]);
      expect(
        (await store.ledger.totals('ws-a', { ...range, by: 'workflow' })).map((w) => [w.key, w.calls]),
      ).toEqual([
        ['', 1],
        ['wf-1', 2],
      ]);
      const page = await store.ledger.list('ws-a', { limit: 2 });
      expect(page.items.map((c) => c.id)).toEqual(['c2', 'c3']);
      expect(page.items[1]).toEqual(
        call('c3', { workflowId: null, cacheHit: true, costMicros: 0, createdAt: T0 + 1 }),
      );
    });

    it('reserves within the workspace and workflow budgets, and refuses what would break one', async () => {
      const store = await fixture.open();
      const workspaceBudget = await store.budgets.set({
        id: 'b1',
        workspaceId: 'ws-a',
        workflowId: null,
        period: 'day',
        limitMicros: 10_000,
        now: T0,
      });
      await store.budgets.set({
        id: 'b2',
        workspaceId: 'ws-a',
        workflowId: 'wf-1',
        period: 'month',
        limitMicros: 4_000,
        now: T0,
      });
      await store.ledger.record(call('spent', { costMicros: 3_000 }));
      const reserve = (id: string, micros: number, workflowId: string | null = 'wf-1') =>
        store.budgets.reserve({
          id,
          workspaceId: 'ws-a',
          workflowId,
          micros,
          now: T0 + 10,
          expiresAt: T0 + 60_000,
          periodStarts: starts,
        });

      expect(await reserve('r1', 1_000)).toEqual({ ok: true });
      const refused = await reserve('r2', 1);
      expect(refused).toMatchObject({
        ok: false,
        budget: { id: 'b2', workflowId: 'wf-1' },
        spentMicros: 3_000,
        reservedMicros: 1_000,
      });
      // Outside the workflow only the workspace budget applies: 3,000 spent + 1,000 reserved + 6,000 fits, 6,001 does not.
      expect(await reserve('r3', 6_001, null)).toMatchObject({
        ok: false,
        budget: { id: workspaceBudget.id },
      });
      expect(await reserve('r4', 6_000, null)).toEqual({ ok: true });
      // Settling moves a reservation into the ledger; releasing frees it.
      await store.ledger.record(call('settled', { costMicros: 500 }), 'r1');
      await store.budgets.release('r4');
      expect(await reserve('r5', 500)).toEqual({ ok: true });
      // A budget replaced in place keeps its id; a larger limit admits more.
      expect(
        (
          await store.budgets.set({
            id: 'other',
            workspaceId: 'ws-a',
            workflowId: 'wf-1',
            period: 'month',
            limitMicros: 9_000,
            now: T0 + 1,
          })
        ).id,
      ).toBe('b2');
      expect(
        (await store.budgets.list('ws-a')).map((b) => [b.id, b.workflowId, b.period, b.limitMicros]),
      ).toEqual([
        ['b1', null, 'day', 10_000],
        ['b2', 'wf-1', 'month', 9_000],
      ]);
      expect(await store.budgets.delete('ws-b', 'b2')).toBe(false);
      expect(await store.budgets.delete('ws-a', 'b2')).toBe(true);
    });

    it('never lets concurrent reservations overdraw a budget', async () => {
      const config = await fixture.database();
      const stores = fixture.shared
        ? await Promise.all([fixture.open(config), fixture.open(config), fixture.open(config)])
        : [await fixture.open(config)];
      await stores[0]!.budgets.set({
        id: 'b',
        workspaceId: 'ws-a',
        workflowId: null,
        period: 'day',
        limitMicros: 10_000,
        now: T0,
      });
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          stores[i % stores.length]!.budgets.reserve({
            id: `r${i}`,
            workspaceId: 'ws-a',
            workflowId: null,
            micros: 1_000,
            now: T0,
            expiresAt: T0 + 60_000,
            periodStarts: starts,
          }),
        ),
      );
      expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
      // Expired reservations stop counting.
      expect(
        await stores[0]!.budgets.reserve({
          id: 'late',
          workspaceId: 'ws-a',
          workflowId: null,
          micros: 10_000,
          now: T0 + 60_001,
          expiresAt: T0 + 120_000,
          periodStarts: starts,
        }),
      ).toEqual({ ok: true });
    });

    it('caches responses until they expire, counting hits', async () => {
      const store = await fixture.open();
      await store.llmCache.put({
        key: 'k',
        workspaceId: 'ws-a',
        response: { text: 'hi' },
        now: T0,
        expiresAt: T0 + 1000,
      });
      expect(await store.llmCache.get('k', T0 + 1)).toEqual({ text: 'hi' });
      expect(await store.llmCache.get('k', T0 + 1000)).toBeUndefined();
      expect(await store.llmCache.get('missing', T0)).toBeUndefined();
      await store.llmCache.put({
        key: 'k',
        workspaceId: 'ws-a',
        response: { text: 'again' },
        now: T0 + 2000,
        expiresAt: T0 + 3000,
      });
      expect(await store.llmCache.get('k', T0 + 2001)).toEqual({ text: 'again' });
      expect(await store.llmCache.prune(T0 + 3000)).toBe(1);
    });
  });
}
