/** Conformance: a workspace never sees nor touches another workspace's records. */
import { describe, expect, it } from 'vitest';
import { newExecution, T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

const MINE = 'ws-mine';
const THEIRS = 'ws-theirs';

export function workspaceConformance(fixture: StoreFixture): void {
  describe('workspace isolation', () => {
    it('keeps workflows and versions to their workspace', async () => {
      const store = await fixture.open();
      await store.workflows.create({ id: 'wf-1', workspaceId: MINE, name: 'mine', draft: {}, now: T0 });
      await store.workflows.publish(MINE, 'wf-1', { definition: { v: 1 }, now: T0 });
      await store.workflows.create({ id: 'wf-2', workspaceId: THEIRS, name: 'theirs', draft: {}, now: T0 });

      expect(await store.workflows.get(THEIRS, 'wf-1')).toBeUndefined();
      expect((await store.workflows.list(THEIRS, { limit: 100 })).items.map((w) => w.id)).toEqual(['wf-2']);
      expect((await store.workflows.list(MINE, { limit: 100 })).items.map((w) => w.id)).toEqual(['wf-1']);
      expect(
        await store.workflows.updateDraft(THEIRS, 'wf-1', { name: 'hijacked', now: T0 + 1 }),
      ).toBeUndefined();
      expect(
        await store.workflows.publish(THEIRS, 'wf-1', { definition: { evil: true }, now: T0 + 1 }),
      ).toBeUndefined();
      expect(await store.workflows.getVersion(THEIRS, 'wf-1', 1)).toBeUndefined();
      expect(await store.workflows.listVersions(THEIRS, 'wf-1')).toEqual([]);
      expect(await store.workflows.delete(THEIRS, 'wf-1')).toBe(false);
      expect(await store.workflows.get(MINE, 'wf-1')).toMatchObject({
        name: 'mine',
        latestVersion: 1,
        updatedAt: T0,
      });
      expect(await store.workflows.listVersions(MINE, 'wf-1')).toHaveLength(1);
    });

    it('keeps executions, dead letters and schedules to their workspace', async () => {
      const store = await fixture.open();
      await store.executions.create(newExecution('ex-1', { workspaceId: MINE }));
      await store.executions.create(newExecution('ex-2', { workspaceId: THEIRS }));
      expect(await store.executions.get(THEIRS, 'ex-1')).toBeUndefined();
      expect((await store.executions.list(THEIRS, { limit: 100 })).items.map((e) => e.id)).toEqual(['ex-2']);
      expect(await store.executions.requestCancel(THEIRS, 'ex-1')).toBe(false);
      expect((await store.executions.get(MINE, 'ex-1'))?.cancelRequested).toBe(false);

      await store.deadLetters.add({
        executionId: 'ex-1',
        workspaceId: MINE,
        workflowId: 'wf-1',
        reason: { code: 'X', message: 'x' },
        createdAt: T0,
      });
      expect(await store.deadLetters.get(THEIRS, 'ex-1')).toBeUndefined();
      expect((await store.deadLetters.list(THEIRS, { limit: 10, includeRetried: true })).items).toEqual([]);
      expect(await store.deadLetters.markRetried(THEIRS, 'ex-1', 'ex-9', T0)).toBe(false);
      expect((await store.deadLetters.get(MINE, 'ex-1'))?.retriedAt).toBeNull();

      await store.schedules.create({
        id: 's-1',
        workspaceId: MINE,
        workflowId: 'wf-1',
        cron: '* * * * *',
        timezone: 'UTC',
        misfire: 'skip',
        enabled: true,
        input: {},
        nextFireAt: T0,
        createdAt: T0,
      });
      expect(await store.schedules.get(THEIRS, 's-1')).toBeUndefined();
      expect((await store.schedules.list(THEIRS, { limit: 10 })).items).toEqual([]);
      expect(await store.schedules.update(THEIRS, 's-1', { enabled: false, now: T0 + 1 })).toBeUndefined();
      expect(await store.schedules.delete(THEIRS, 's-1')).toBe(false);
      expect(await store.schedules.get(MINE, 's-1')).toMatchObject({ enabled: true, updatedAt: T0 });
    });
  });
}
