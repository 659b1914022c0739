/** Starting executions: the check that the version exists, and how long its answer is trusted. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeRegistry } from '../../nodes/registry.ts';
import { openStore } from '../../store/open-store.ts';
import type { Store } from '../../store/ports.ts';
import type { Clock } from '../clock.ts';
import { Executions } from './executions.ts';

const WS = 'default';
const definition = {
  format: 'switchyard/v1',
  name: 'wf',
  nodes: [{ id: 'start', type: 'start' }],
  edges: [],
};

const opened: { store: Store; dir: string }[] = [];
afterEach(async () => {
  for (const { store, dir } of opened.splice(0)) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A store with workflow "wf" published as version 1, and a start of that version at the clock's time. */
async function published(clock: Clock) {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-executions-'));
  const store = await openStore({ dataDir: dir });
  opened.push({ store, dir });
  await store.workflows.create({ id: 'wf', workspaceId: WS, name: 'wf', draft: definition, now: 1 });
  await store.workflows.publish(WS, 'wf', { definition, now: 1 });
  const executions = new Executions({ store, catalog: createNodeRegistry(), clock });
  const start = () =>
    executions.start({ workspaceId: WS, workflowId: 'wf', version: 1, trigger: { kind: 'api' }, input: {} });
  return { store, executions, start };
}

describe('the published-version check', () => {
  it('learns within its trust window that another process deleted the workflow', async () => {
    let now = 1_000_000;
    const { store, start } = await published({ now: () => now, sleep: async () => {} });
    await start();
    // Deleted in the store directly, as another process would: this one is not told.
    await store.workflows.delete(WS, 'wf');
    now += 1_000;
    await expect(start()).resolves.toMatchObject({ workflowVersion: 1 });
    now += 10_000;
    await expect(start()).rejects.toMatchObject({ code: 'SY_WORKFLOW_NOT_PUBLISHED' });
  });

  it('forgets at once a workflow deleted here', async () => {
    const { store, executions, start } = await published({ now: () => 1_000_000, sleep: async () => {} });
    await start();
    await store.workflows.delete(WS, 'wf');
    executions.workflowDeleted();
    await expect(start()).rejects.toMatchObject({ code: 'SY_WORKFLOW_NOT_PUBLISHED' });
  });
});
