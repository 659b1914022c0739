/** Conformance: workflows, drafts, immutable versions, pagination. */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/ports.ts';
import { T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

const WS = 'ws-a';

async function createWorkflow(store: Store, id: string, now = T0) {
  return store.workflows.create({
    id,
    workspaceId: WS,
    name: `Workflow ${id}`,
    draft: { nodes: [{ id: 'start' }] },
    now,
  });
}

export function workflowConformance(fixture: StoreFixture): void {
  describe('workflows', () => {
    it('stores a workflow and reads it back', async () => {
      const store = await fixture.open();
      const created = await store.workflows.create({
        id: 'wf-1',
        workspaceId: WS,
        name: 'Triage',
        description: 'Sorts orders',
        draft: { nodes: [{ id: 'start', type: 'start' }], edges: [] },
        now: T0,
      });
      const expected = {
        id: 'wf-1',
        workspaceId: WS,
        name: 'Triage',
        description: 'Sorts orders',
        draft: { nodes: [{ id: 'start', type: 'start' }], edges: [] },
        latestVersion: null,
        createdAt: T0,
        updatedAt: T0,
      };
      expect(created).toEqual(expected);
      expect(await store.workflows.get(WS, 'wf-1')).toEqual(expected);
      expect(await store.workflows.get(WS, 'wf-missing')).toBeUndefined();
    });

    it('tells a trigger only the workspace and the latest version of a workflow, by id alone', async () => {
      const store = await fixture.open();
      await createWorkflow(store, 'wf-hook');
      expect(await store.workflows.forTrigger('wf-hook')).toEqual({ workspaceId: WS, latestVersion: null });
      await store.workflows.publish(WS, 'wf-hook', { definition: { nodes: [] }, now: T0 + 1 });
      await store.workflows.publish(WS, 'wf-hook', { definition: { nodes: [] }, now: T0 + 2 });
      expect(await store.workflows.forTrigger('wf-hook')).toEqual({ workspaceId: WS, latestVersion: 2 });
      expect(await store.workflows.forTrigger('wf-missing')).toBeUndefined();
    });

    it('refuses a second workflow with the same id as SY_STORE_CONFLICT', async () => {
      const store = await fixture.open();
      await createWorkflow(store, 'wf-1');
      await expect(createWorkflow(store, 'wf-1')).rejects.toMatchObject({ code: 'SY_STORE_CONFLICT' });
    });

    it('updates only the fields a patch names', async () => {
      const store = await fixture.open();
      await store.workflows.create({
        id: 'wf-1',
        workspaceId: WS,
        name: 'A',
        description: 'about A',
        draft: { v: 1 },
        now: T0,
      });
      const renamed = await store.workflows.updateDraft(WS, 'wf-1', { name: 'B', now: T0 + 1 });
      expect(renamed).toMatchObject({
        name: 'B',
        description: 'about A',
        draft: { v: 1 },
        updatedAt: T0 + 1,
        createdAt: T0,
      });
      const redrafted = await store.workflows.updateDraft(WS, 'wf-1', {
        description: null,
        draft: [1, 2],
        now: T0 + 2,
      });
      expect(redrafted).toMatchObject({ name: 'B', description: null, draft: [1, 2], updatedAt: T0 + 2 });
      expect(await store.workflows.get(WS, 'wf-1')).toEqual(redrafted);
      expect(await store.workflows.updateDraft(WS, 'wf-missing', { name: 'x', now: T0 })).toBeUndefined();
    });

    it('publishes numbered, immutable versions and lists them oldest first', async () => {
      const store = await fixture.open();
      await createWorkflow(store, 'wf-1');
      const v1 = await store.workflows.publish(WS, 'wf-1', {
        definition: { rev: 1 },
        note: 'first',
        now: T0 + 1,
      });
      await store.workflows.updateDraft(WS, 'wf-1', { draft: { rev: 2 }, now: T0 + 2 });
      const v2 = await store.workflows.publish(WS, 'wf-1', { definition: { rev: 2 }, now: T0 + 3 });
      expect(v1).toEqual({
        workflowId: 'wf-1',
        version: 1,
        definition: { rev: 1 },
        note: 'first',
        createdAt: T0 + 1,
      });
      expect(v2).toEqual({
        workflowId: 'wf-1',
        version: 2,
        definition: { rev: 2 },
        note: null,
        createdAt: T0 + 3,
      });
      expect(await store.workflows.getVersion(WS, 'wf-1', 1)).toEqual(v1);
      expect(await store.workflows.getVersion(WS, 'wf-1', 3)).toBeUndefined();
      expect(await store.workflows.listVersions(WS, 'wf-1')).toEqual([v1, v2]);
      expect(await store.workflows.get(WS, 'wf-1')).toMatchObject({ latestVersion: 2, updatedAt: T0 + 3 });
      expect(await store.workflows.publish(WS, 'wf-missing', { definition: {}, now: T0 })).toBeUndefined();
    });

    it('gives concurrent publishers distinct version numbers 1..N', async () => {
      const store = await fixture.open();
      await createWorkflow(store, 'wf-1');
      const published = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          store.workflows.publish(WS, 'wf-1', { definition: { i }, now: T0 + i }),
        ),
      );
      const numbers = published.map((v) => v?.version).sort((a, b) => (a ?? 0) - (b ?? 0));
      expect(numbers).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      const versions = await store.workflows.listVersions(WS, 'wf-1');
      for (const version of versions) {
        expect(version.definition).toEqual(published.find((p) => p?.version === version.version)?.definition);
      }
      expect((await store.workflows.get(WS, 'wf-1'))?.latestVersion).toBe(25);
    });

    it('deletes a workflow with its versions', async () => {
      const store = await fixture.open();
      await createWorkflow(store, 'wf-1');
      await store.workflows.publish(WS, 'wf-1', { definition: {}, now: T0 });
      expect(await store.workflows.delete(WS, 'wf-1')).toBe(true);
      expect(await store.workflows.get(WS, 'wf-1')).toBeUndefined();
      expect(await store.workflows.listVersions(WS, 'wf-1')).toEqual([]);
      expect(await store.workflows.delete(WS, 'wf-1')).toBe(false);
      // The id is free again, and numbering starts over.
      await createWorkflow(store, 'wf-1');
      expect((await store.workflows.publish(WS, 'wf-1', { definition: {}, now: T0 }))?.version).toBe(1);
    });

    it('pages newest first, each workflow exactly once, even with inserts between pages', async () => {
      const store = await fixture.open();
      // Several share a creation time: the id breaks the tie.
      for (let i = 0; i < 23; i++)
        await createWorkflow(store, `wf-${String(i).padStart(2, '0')}`, T0 + Math.floor(i / 3));
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await store.workflows.list(WS, { limit: 5, ...(after === undefined ? {} : { after }) });
        seen.push(...page.items.map((w) => w.id));
        after = page.next;
        pages++;
        // Newer and older rows arriving meanwhile must not shift the pages.
        await createWorkflow(store, `new-${pages}`, T0 + 1_000 + pages);
      } while (after !== undefined);
      const original = Array.from({ length: 23 }, (_, i) => `wf-${String(i).padStart(2, '0')}`);
      expect(seen).toEqual([...original].reverse());
      expect(pages).toBe(5);
    });

    it('clamps the page size and refuses a cursor it did not issue', async () => {
      const store = await fixture.open();
      await createWorkflow(store, 'wf-1');
      expect((await store.workflows.list(WS, { limit: 0 })).items).toHaveLength(1);
      await expect(store.workflows.list(WS, { limit: 5, after: 'not-a-cursor' })).rejects.toMatchObject({
        code: 'SY_INPUT_INVALID',
      });
    });
  });
}
