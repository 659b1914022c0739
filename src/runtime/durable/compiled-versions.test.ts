/** The workflow an execution runs: compiled once per stored version; failures are not kept. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workflow } from '../../../test/support/workflow-shapes.ts';
import { createNodeRegistry } from '../../nodes/registry.ts';
import { openStore } from '../../store/open-store.ts';
import type { Store } from '../../store/ports.ts';
import { CompiledVersions } from './compiled-versions.ts';

const WS = 'default';
const definition = workflow([{ id: 'start', type: 'start' }], []);
const version1 = { workspaceId: WS, workflowId: 'wf', workflowVersion: 1 };

const opened: { store: Store; dir: string }[] = [];
afterEach(async () => {
  for (const { store, dir } of opened.splice(0)) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function emptyStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-compiled-'));
  const store = await openStore({ dataDir: dir });
  opened.push({ store, dir });
  await store.workflows.create({ id: 'wf', workspaceId: WS, name: 'wf', draft: definition, now: 1 });
  return store;
}

describe('compiled workflow versions', () => {
  it('compiles a stored version once and keeps it', async () => {
    const store = await emptyStore();
    await store.workflows.publish(WS, 'wf', { definition, now: 1 });
    const versions = new CompiledVersions(store, createNodeRegistry());
    const first = versions.of(version1);
    expect(versions.of(version1)).toBe(first);
    expect((await first).nodes.map((node) => node.id)).toEqual(['start']);
  });

  it('refuses a version that does not exist, and reads again next time', async () => {
    const store = await emptyStore();
    const versions = new CompiledVersions(store, createNodeRegistry());
    await expect(versions.of(version1)).rejects.toMatchObject({ code: 'SY_SUBWORKFLOW_NOT_FOUND' });
    await store.workflows.publish(WS, 'wf', { definition, now: 2 });
    expect((await versions.of(version1)).nodes.map((node) => node.id)).toEqual(['start']);
  });

  it('refuses a stored version that no longer validates (a node type this build lacks)', async () => {
    const store = await emptyStore();
    const unknown = { ...definition, nodes: [...definition.nodes, { id: 'x', type: 'gone' }] };
    await store.workflows.publish(WS, 'wf', { definition: unknown, now: 1 });
    await expect(new CompiledVersions(store, createNodeRegistry()).of(version1)).rejects.toMatchObject({
      code: 'SY_WF_SCHEMA',
    });
  });
});
