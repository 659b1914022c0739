/** Executions over real HTTP: start async and sync, list, get with node runs, cancel, retry, replay. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  call,
  failing,
  hello,
  published,
  slow,
  startServer,
  type TestServer,
  until,
} from './fixture.ts';

let server: TestServer;
let helloId: string;
beforeAll(async () => {
  server = await startServer({ maxWaitMs: 5000 });
  helloId = await published(server, hello, 'hello');
});
afterAll(() => server.close());

const finished = (id: string) => async (): Promise<Answer | undefined> => {
  const answer = await call(server, 'GET', `/api/v1/executions/${id}`);
  return ['queued', 'running'].includes(answer.body.status) ? undefined : answer;
};

describe('starting executions', () => {
  it('async by default: 202 with the id and a Location to poll until it succeeds', async () => {
    const started = await call(server, 'POST', `/api/v1/workflows/${helloId}/executions`, {
      input: { name: 'Ada' },
    });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/api/v1/executions/${started.body.id}`);
    expect(started.body).toMatchObject({ workflowId: 'hello', workflowVersion: 1, trigger: { kind: 'api' } });
    const done = await until(finished(started.body.id));
    expect(done.body).toMatchObject({ status: 'succeeded', output: { message: 'Hello, Ada!' }, error: null });
    expect(done.body.nodeRuns.map((r: { nodeId: string }) => r.nodeId)).toEqual(['start', 'greet', 'done']);
    expect(done.body.nodeRuns[1]).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      outputs: { out: { greeting: 'Hello, Ada!', name: 'Ada' } },
    });
  });

  it('wait=true answers 200 with the outcome', async () => {
    const answer = await call(server, 'POST', `/api/v1/workflows/${helloId}/executions?wait=true`, {
      input: { name: 'Grace' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'succeeded', output: { message: 'Hello, Grace!' } });
  });

  it('wait=true answers 202 when the timeout passes, and the execution keeps running', async () => {
    const slowId = await published(server, slow);
    const answer = await call(
      server,
      'POST',
      `/api/v1/workflows/${slowId}/executions?wait=true&timeoutMs=200`,
    );
    expect(answer.status).toBe(202);
    expect(answer.body.status).toBe('running');
    const cancelled = await call(server, 'POST', `/api/v1/executions/${answer.body.id}/cancel`);
    expect(cancelled.status).toBe(202);
    await until(finished(answer.body.id));
  });

  it('refuses an unpublished or unknown workflow, and an unknown body field', async () => {
    const draft = await call(server, 'POST', '/api/v1/workflows', { definition: hello });
    const unpublished = await call(server, 'POST', `/api/v1/workflows/${draft.body.id}/executions`, {});
    expect(unpublished.status).toBe(409);
    expect(unpublished.body.code).toBe('SY_WORKFLOW_NOT_PUBLISHED');
    const unknown = await call(server, 'POST', '/api/v1/workflows/nope/executions', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('SY_WORKFLOW_NOT_FOUND');
    const field = await call(server, 'POST', `/api/v1/workflows/${helloId}/executions`, { inputs: {} });
    expect(field.status).toBe(400);
    expect(field.body.errors[0].path).toBe('body.inputs');
  });

  it('refuses a version of a workflow that was deleted, even when its id is used again', async () => {
    const id = await published(server, hello, 'reborn');
    const first = await call(server, 'POST', `/api/v1/workflows/${id}/executions?wait=true`, { version: 1 });
    expect(first.status).toBe(200);
    expect((await call(server, 'DELETE', `/api/v1/workflows/${id}`)).status).toBe(204);
    expect((await call(server, 'POST', '/api/v1/workflows', { id, definition: hello })).status).toBe(201);
    const stale = await call(server, 'POST', `/api/v1/workflows/${id}/executions`, { version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('SY_WORKFLOW_NOT_PUBLISHED');
  });
});

describe('listing', () => {
  it('filters by status and workflow, and pages through each execution exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await call(server, 'POST', `/api/v1/workflows/${helloId}/executions?wait=true`, {
        input: { name: `n${i}` },
      });
      ids.push(answer.body.id);
    }
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await call(
        server,
        'GET',
        `/api/v1/executions?workflowId=hello&status=succeeded&limit=2${after ? `&after=${after}` : ''}`,
      );
      expect(page.status).toBe(200);
      for (const item of page.body.items) {
        expect(item).toMatchObject({ workflowId: 'hello', status: 'succeeded' });
        seen.push(item.id);
      }
      after = page.body.next;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
    const none = await call(server, 'GET', '/api/v1/executions?status=cancelled&workflowId=hello');
    expect(none.body.items).toEqual([]);
    expect((await call(server, 'GET', '/api/v1/executions?status=lost')).status).toBe(400);
  });
});

describe('cancel, retry, replay', () => {
  it('cancels a running execution', async () => {
    const slowId = await published(server, slow);
    const started = await call(server, 'POST', `/api/v1/workflows/${slowId}/executions`);
    await until(async () =>
      (await call(server, 'GET', `/api/v1/executions/${started.body.id}`)).body.nodeRuns.length > 0
        ? true
        : undefined,
    );
    const cancel = await call(server, 'POST', `/api/v1/executions/${started.body.id}/cancel`);
    expect(cancel.status).toBe(202);
    const done = await until(finished(started.body.id));
    expect(done.body.status).toBe('cancelled');
    const again = await call(server, 'POST', `/api/v1/executions/${started.body.id}/cancel`);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('cancelled');
    expect((await call(server, 'POST', '/api/v1/executions/nope/cancel')).status).toBe(404);
  });

  it('retries a dead-lettered execution once', async () => {
    const failingId = await published(server, failing);
    const failed = await call(server, 'POST', `/api/v1/workflows/${failingId}/executions?wait=true`);
    expect(failed.body).toMatchObject({ status: 'failed', error: { code: 'SY_FAIL_NODE' } });
    const retry = await call(server, 'POST', `/api/v1/executions/${failed.body.id}/retry`);
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ parentId: failed.body.id, trigger: { kind: 'retry' } });
    expect(retry.headers.get('location')).toBe(`/api/v1/executions/${retry.body.id}`);
    expect((await until(finished(retry.body.id))).body.status).toBe('failed');
    const twice = await call(server, 'POST', `/api/v1/executions/${failed.body.id}/retry`);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('SY_RETRY_INVALID');
    const ok = await call(server, 'POST', `/api/v1/workflows/${helloId}/executions?wait=true`, {
      input: { name: 'x' },
    });
    expect((await call(server, 'POST', `/api/v1/executions/${ok.body.id}/retry`)).body.code).toBe(
      'SY_RETRY_INVALID',
    );
  });

  it('replays from a node, reusing what ran upstream', async () => {
    const original = await call(server, 'POST', `/api/v1/workflows/${helloId}/executions?wait=true`, {
      input: { name: 'Lin' },
    });
    const replay = await call(server, 'POST', `/api/v1/executions/${original.body.id}/replay`, {
      fromNode: 'done',
    });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({
      parentId: original.body.id,
      replay: { executionId: original.body.id, fromNode: 'done' },
    });
    const done = await until(finished(replay.body.id));
    expect(done.body).toMatchObject({ status: 'succeeded', output: { message: 'Hello, Lin!' } });
    const bad = await call(server, 'POST', `/api/v1/executions/${original.body.id}/replay`, {
      fromNode: 'ghost',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('SY_REPLAY_INVALID');
    expect((await call(server, 'POST', `/api/v1/executions/${original.body.id}/replay`, {})).status).toBe(
      400,
    );
  });
});

describe('catalogue and health', () => {
  it('lists node types with their parameters as JSON Schema and their ports', async () => {
    const answer = await call(server, 'GET', '/api/v1/node-types');
    expect(answer.status).toBe(200);
    const delay = answer.body.items.find((t: { type: string }) => t.type === 'delay');
    expect(delay).toMatchObject({
      category: 'flow',
      role: 'task',
      inputs: ['in'],
      outputs: ['out', 'error'],
    });
    expect(delay.params.properties.ms).toMatchObject({ type: 'integer' });
    expect(answer.body.items.map((t: { type: string }) => t.type)).toContain('start');
  });

  it('answers /healthz and /readyz, and 503 when the store is not healthy', async () => {
    expect((await call(server, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await call(server, 'GET', '/readyz')).body).toEqual({ status: 'ready', backend: 'sqlite' });
    const health = server.deps.store.health;
    Object.assign(server.deps.store, {
      health: async () => ({ ok: false, detail: 'migration 0009 pending' }),
    });
    try {
      const answer = await call(server, 'GET', '/readyz');
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        code: 'SY_STORE_UNAVAILABLE',
        detail: 'not ready: migration 0009 pending',
      });
    } finally {
      Object.assign(server.deps.store, { health });
    }
  });
});
