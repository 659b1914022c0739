/**
 * People in the loop over real HTTP: an execution waits for an approval in the store (no runner),
 * a decision through the API wakes it — after a restart too, inside loops and parallel branches,
 * and a deadline decides for nobody.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, published, startServer, type TestServer, testKeyRing, until } from './fixture.ts';

const review = (extra: Record<string, unknown> = {}) => ({
  format: 'switchyard/v1',
  name: 'review',
  nodes: [
    { id: 'start', type: 'start' },
    {
      id: 'check',
      type: 'approval',
      params: { title: 'Pay {{ vendor }}?', data: '{{ { "amount": amount } }}', ...extra },
    },
    { id: 'paid', type: 'end', params: { output: '{{ { "paid": data.amount, "by": decidedBy } }}' } },
    { id: 'refused', type: 'end', params: { output: '{{ { "refused": decision } }}' } },
  ],
  edges: [
    { from: 'start', to: 'check' },
    { from: 'check.approved', to: 'paid' },
    { from: 'check.rejected', to: 'refused' },
  ],
});

async function start(server: TestServer, workflowId: string, input: unknown): Promise<string> {
  const answer = await call(server, 'POST', `/api/v1/workflows/${workflowId}/executions`, { input });
  expect(answer.status).toBe(202);
  return answer.body.id;
}

const statusOf = (server: TestServer, id: string, wanted: string) =>
  until(async () => {
    const answer = await call(server, 'GET', `/api/v1/executions/${id}`);
    return answer.body.status === wanted ? answer.body : undefined;
  });

const pendingOf = async (server: TestServer, executionId: string) =>
  (await call(server, 'GET', `/api/v1/approvals?status=pending&executionId=${executionId}`)).body.items;

describe('approvals', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('sleeps without a runner until a person approves, with the data as they edited it', async () => {
    const workflowId = await published(server, review());
    const id = await start(server, workflowId, { vendor: 'ACME', amount: 120 });
    await statusOf(server, id, 'waiting');
    expect(server.deps.worker.activeCount).toBe(0);
    const [pending] = await pendingOf(server, id);
    expect(pending).toMatchObject({
      title: 'Pay ACME?',
      data: { amount: 120 },
      status: 'pending',
      nodeId: 'check',
    });

    const decided = await call(server, 'POST', `/api/v1/approvals/${pending.id}/decision`, {
      decision: 'approve',
      data: { amount: 100 },
      comment: 'capped',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'approved', decidedBy: `user:${server.admin.userId}` });
    const done = await statusOf(server, id, 'succeeded');
    expect(done.output).toEqual({ paid: 100, by: `user:${server.admin.userId}` });

    const again = await call(server, 'POST', `/api/v1/approvals/${pending.id}/decision`, {
      decision: 'reject',
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('SY_APPROVAL_DECIDED');
    const audit = await call(server, 'GET', '/api/v1/audit?action=approval.decide');
    expect(audit.body.items[0]).toMatchObject({
      target: `approval:${pending.id}`,
      detail: { decision: 'approved', edited: true },
    });
  });

  it('goes on through `rejected` when refused', async () => {
    const workflowId = await published(server, review());
    const id = await start(server, workflowId, { vendor: 'Shady', amount: 9 });
    await statusOf(server, id, 'waiting');
    const [pending] = await pendingOf(server, id);
    await call(server, 'POST', `/api/v1/approvals/${pending.id}/decision`, { decision: 'reject' });
    expect((await statusOf(server, id, 'succeeded')).output).toEqual({ refused: 'rejected' });
  });

  it('waits once per loop iteration, and finishes when every one is decided', async () => {
    const workflowId = await published(server, {
      format: 'switchyard/v1',
      name: 'per-item',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'each', type: 'loop', params: { items: '{{ items }}', concurrency: 2 } },
        { id: 'ok', type: 'approval', params: { title: 'Ship {{ $input }}?' } },
        { id: 'mark', type: 'set', params: { fields: { shipped: '{{ data }}' } } },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'each' },
        { from: 'each.item', to: 'ok' },
        { from: 'ok.approved', to: 'mark' },
        { from: 'mark', to: 'each.next' },
        { from: 'each.done', to: 'done' },
      ],
    });
    const id = await start(server, workflowId, { items: ['box', 'crate'] });
    await statusOf(server, id, 'waiting');
    const pending = await until(async () => {
      const items = await pendingOf(server, id);
      return items.length === 2 ? items : undefined;
    });
    expect(pending.map((p: { title: string }) => p.title).sort()).toEqual(['Ship box?', 'Ship crate?']);
    await call(server, 'POST', `/api/v1/approvals/${pending[0].id}/decision`, { decision: 'approve' });
    // One decided, one still pending: it wakes, runs what it can, and sleeps again.
    await until(async () => ((await pendingOf(server, id)).length === 1 ? true : undefined));
    await statusOf(server, id, 'waiting');
    await call(server, 'POST', `/api/v1/approvals/${pending[1].id}/decision`, { decision: 'approve' });
    const done = await statusOf(server, id, 'succeeded');
    expect(done.output.map((item: { shipped: string }) => item.shipped).sort()).toEqual(['box', 'crate']);
  });

  it('lets parallel branches run on while one waits', async () => {
    const workflowId = await published(server, {
      format: 'switchyard/v1',
      name: 'branches',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'fork', type: 'parallel' },
        { id: 'ask', type: 'approval', params: { title: 'Go?' } },
        { id: 'work', type: 'set', params: { fields: { worked: true } } },
        { id: 'join', type: 'merge' },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'fork' },
        { from: 'fork', to: 'ask' },
        { from: 'fork', to: 'work' },
        { from: 'ask.approved', to: 'join' },
        { from: 'work', to: 'join' },
        { from: 'join', to: 'done' },
      ],
    });
    const id = await start(server, workflowId, {});
    await statusOf(server, id, 'waiting');
    const runs = await server.deps.store.nodeRuns.list(id);
    expect(runs.map((run) => run.nodeId)).toContain('work');
    const [pending] = await pendingOf(server, id);
    await call(server, 'POST', `/api/v1/approvals/${pending.id}/decision`, { decision: 'approve' });
    await statusOf(server, id, 'succeeded');
  });

  it('times out by its deadline and goes on as the node says', async () => {
    const workflowId = await published(server, review({ timeoutMs: 1000, onTimeout: 'reject' }));
    const id = await start(server, workflowId, { vendor: 'Late', amount: 1 });
    await statusOf(server, id, 'waiting');
    const done = await statusOf(server, id, 'succeeded');
    expect(done.output).toEqual({ refused: 'timed-out' });
    const [approval] = (await call(server, 'GET', `/api/v1/approvals?executionId=${id}`)).body.items;
    expect(approval).toMatchObject({ status: 'timed-out', decidedBy: 'timeout' });
  });

  it("cannot see or decide another workspace's approvals", async () => {
    const shared = await startServer({}, { settings: { signup: 'open' } });
    try {
      const workflowId = await published(shared, review());
      const id = await start(shared, workflowId, { vendor: 'Mine', amount: 5 });
      await statusOf(shared, id, 'waiting');
      const [pending] = await pendingOf(shared, id);
      const other = await call(
        shared,
        'POST',
        '/api/v1/auth/signup',
        { email: 'other@example.com', password: 'another long passphrase' },
        { token: null },
      );
      const token = other.body.accessToken;
      expect((await call(shared, 'GET', '/api/v1/approvals', undefined, { token })).body.items).toEqual([]);
      expect(
        (await call(shared, 'GET', `/api/v1/approvals/${pending.id}`, undefined, { token })).status,
      ).toBe(404);
      const foreign = await call(
        shared,
        'POST',
        `/api/v1/approvals/${pending.id}/decision`,
        { decision: 'approve' },
        { token },
      );
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('SY_APPROVAL_NOT_FOUND');
      expect((await call(shared, 'GET', `/api/v1/approvals/${pending.id}`)).body.status).toBe('pending');
    } finally {
      await shared.close();
    }
  });
});

describe('an approval across a restart', () => {
  it('survives the server stopping: a new process takes the decision and finishes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-approval-restart-'));
    const keyRing = testKeyRing();
    try {
      const first = await startServer({}, { dataDir, keyRing });
      const workflowId = await published(first, review());
      const id = await start(first, workflowId, { vendor: 'Before', amount: 42 });
      await statusOf(first, id, 'waiting');
      await first.close();

      const second = await startServer({}, { dataDir, keyRing });
      try {
        const [pending] = await pendingOf(second, id);
        await call(second, 'POST', `/api/v1/approvals/${pending.id}/decision`, { decision: 'approve' });
        const done = await statusOf(second, id, 'succeeded');
        expect(done.output).toMatchObject({ paid: 42 });
        const started = (await second.deps.store.nodeRuns.list(id)).filter((run) => run.nodeId === 'start');
        expect(started).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
