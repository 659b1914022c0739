/** Versions on the embedded store: publish only what validates, diff, restore; retention prunes by age and count. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeRegistry } from '../../src/nodes/registry.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { retentionFromEnv, startRetention } from '../../src/runtime/durable/retention.ts';
import { openStore } from '../../src/store/open-store.ts';
import { type Store, DEFAULT_WORKSPACE as WS } from '../../src/store/ports.ts';
import { WorkflowVersions } from '../../src/workflows/versions.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function store(): Promise<Store> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-versions-'));
  const opened = await openStore({ dataDir });
  cleanups.push(async () => {
    await opened.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return opened;
}

const v1 = {
  format: 'switchyard/v1',
  name: 'greet',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'greet', type: 'set', params: { fields: { hello: 'world' } } },
  ],
  edges: [{ from: 'start', to: 'greet' }],
};

describe('workflow versions', () => {
  it('publishes only a valid draft, diffs versions and restores an old one', async () => {
    const s = await store();
    const versions = new WorkflowVersions({ store: s, catalog: createNodeRegistry(), clock: systemClock });
    const broken = { ...v1, nodes: [...v1.nodes, { id: 'greet', type: 'nope' }] };
    await s.workflows.create({ id: 'wf', workspaceId: WS, name: 'greet', draft: broken, now: 1 });
    const refused = await versions.publish(WS, 'wf').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'SY_WF_INVALID' });
    expect(
      (refused as { details: { problems: { code: string }[] } }).details.problems.map((p) => p.code),
    ).toContain('SY_WF_DUPLICATE_ID');
    expect(await s.workflows.listVersions(WS, 'wf')).toEqual([]);

    await s.workflows.updateDraft(WS, 'wf', { draft: v1, now: 2 });
    expect((await versions.publish(WS, 'wf', 'first')).version).toBe(1);
    const v2 = {
      ...v1,
      nodes: [v1.nodes[0], { id: 'greet', type: 'set', params: { fields: { hello: 'there' } } }],
    };
    await s.workflows.updateDraft(WS, 'wf', { draft: v2, now: 3 });
    expect((await versions.publish(WS, 'wf')).version).toBe(2);

    expect(await versions.diff(WS, 'wf', 1, 2)).toMatchObject({
      nodes: { changed: [{ id: 'greet', fields: ['params'] }] },
    });
    await versions.restore(WS, 'wf', 1);
    expect((await versions.diff(WS, 'wf', 'draft', 1)).identical).toBe(true);
    expect((await s.workflows.getVersion(WS, 'wf', 2))?.definition).toEqual(v2);
    await expect(versions.diff(WS, 'wf', 1, 9)).rejects.toMatchObject({ code: 'SY_WORKFLOW_NOT_PUBLISHED' });
  });
});

describe('retention', () => {
  it('reads its settings from the environment and refuses nonsense', () => {
    expect(retentionFromEnv({ SWITCHYARD_RETENTION_DAYS: '30', SWITCHYARD_RETENTION_KEEP: '100' })).toEqual({
      maxAgeDays: 30,
      keepPerWorkflow: 100,
    });
    expect(retentionFromEnv({})).toEqual({});
    expect(() => retentionFromEnv({ SWITCHYARD_RETENTION_DAYS: 'soon' })).toThrow(
      /SWITCHYARD_RETENTION_DAYS/,
    );
  });

  it('prunes finished executions older than the limit, keeping recent and running ones', async () => {
    const s = await store();
    await s.workflows.create({ id: 'wf', workspaceId: WS, name: 'greet', draft: v1, now: 1 });
    await s.workflows.publish(WS, 'wf', { definition: v1, now: 1 });
    const day = 86_400_000;
    const now = Date.now();
    for (const [id, finishedAt] of [
      ['old', now - 40 * day],
      ['recent', now - day],
    ] as const) {
      await s.executions.create({
        id,
        workspaceId: WS,
        workflowId: 'wf',
        workflowVersion: 1,
        trigger: { kind: 'api' },
        input: null,
        now: finishedAt,
      });
      const [claimed] = await s.executions.claim('r', 1000, finishedAt, 1);
      await s.executions.finish(
        { executionId: id, owner: 'r', epoch: claimed!.leaseEpoch },
        { status: 'succeeded', output: null, error: null, now: finishedAt },
      );
    }
    await s.executions.create({
      id: 'queued',
      workspaceId: WS,
      workflowId: 'wf',
      workflowVersion: 1,
      trigger: { kind: 'api' },
      input: null,
      now: now - 50 * day,
    });
    const pruned: number[] = [];
    const stop = startRetention(s, systemClock, { maxAgeDays: 30 }, { onPruned: (n) => pruned.push(n) });
    for (let i = 0; i < 100 && pruned.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await stop();
    expect(pruned).toEqual([1]);
    expect(await s.executions.get(WS, 'old')).toBeUndefined();
    expect(await s.executions.get(WS, 'recent')).toBeDefined();
    expect(await s.executions.get(WS, 'queued')).toBeDefined();
  });
});
