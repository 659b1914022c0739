import { describe, expect, it } from 'vitest';
import type { WorkflowRepository } from '../ports.ts';
import { cachingTriggers } from './trigger-cache.ts';

function fakeWorkflows() {
  const state = { latestVersion: 1 as number | null, reads: 0 };
  let releaseRead: (() => void) | undefined;
  const repository = {
    async forTrigger(id: string) {
      state.reads++;
      const answer = { workspaceId: 'ws', latestVersion: state.latestVersion };
      if (id === 'slow') await new Promise<void>((resolve) => (releaseRead = resolve));
      return answer;
    },
    async publish() {
      state.latestVersion = (state.latestVersion ?? 0) + 1;
      return undefined;
    },
    async delete() {
      state.latestVersion = null;
      return true;
    },
  } as unknown as WorkflowRepository;
  return { repository, state, release: () => releaseRead?.() };
}

describe('the embedded store’s trigger cache', () => {
  it('reads a workflow once, and again after this process changes any workflow', async () => {
    const { repository, state } = fakeWorkflows();
    const workflows = cachingTriggers(repository);
    expect(await workflows.forTrigger('wf')).toEqual({ workspaceId: 'ws', latestVersion: 1 });
    expect(await workflows.forTrigger('wf')).toEqual({ workspaceId: 'ws', latestVersion: 1 });
    expect(state.reads).toBe(1);
    await workflows.publish('ws', 'wf', { definition: {}, now: 0 });
    expect(await workflows.forTrigger('wf')).toEqual({ workspaceId: 'ws', latestVersion: 2 });
    expect(state.reads).toBe(2);
    await workflows.delete('ws', 'wf');
    expect((await workflows.forTrigger('wf'))?.latestVersion).toBeNull();
  });

  it('does not keep a read that overlapped a change', async () => {
    const { repository, state, release } = fakeWorkflows();
    const workflows = cachingTriggers(repository);
    const overlapping = workflows.forTrigger('slow');
    await Promise.resolve();
    await workflows.publish('ws', 'slow', { definition: {}, now: 0 });
    release();
    expect((await overlapping)?.latestVersion).toBe(1);
    // Not kept: this is a read of its own, which sees the change.
    const again = workflows.forTrigger('slow');
    await Promise.resolve();
    release();
    expect((await again)?.latestVersion).toBe(2);
    expect(state.reads).toBe(2);
  });
});
