/** Idempotency-Key over real HTTP: repeats answer the first result, mismatches 422, concurrent repeats act once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, call, hello, published, startServer, type TestServer } from './fixture.ts';

let server: TestServer;
let helloId: string;
beforeAll(async () => {
  server = await startServer();
  helloId = await published(server, hello, 'idem-hello');
});
afterAll(() => server.close());

interface Sent {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field and assert on them.
  readonly body: any;
}

async function post(path: string, body: unknown, key?: string): Promise<Sent> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...authHeaders(server),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? text : JSON.parse(text) };
}

const executionsOf = async (workflowId: string): Promise<unknown[]> =>
  (await call(server, 'GET', `/api/v1/executions?workflowId=${workflowId}&limit=100`)).body.items;

describe('Idempotency-Key', () => {
  it('a repeat returns the first answer (status, body, Location) without acting again', async () => {
    const first = await post('/api/v1/workflows', { definition: hello }, 'create-1');
    const again = await post('/api/v1/workflows', { definition: hello }, 'create-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const third = await post('/api/v1/workflows', { definition: hello }, 'create-2');
    expect(third.body.id).not.toBe(first.body.id);
    const plain = await post('/api/v1/workflows', { definition: hello });
    expect(plain.headers.get('idempotent-replayed')).toBeNull();
  });

  it('starts an execution once for a repeated key', async () => {
    const before = (await executionsOf(helloId)).length;
    const body = { input: { name: 'Ada' } };
    const first = await post(`/api/v1/workflows/${helloId}/executions`, body, 'start-1');
    const again = await post(`/api/v1/workflows/${helloId}/executions`, body, 'start-1');
    expect(first.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect((await executionsOf(helloId)).length).toBe(before + 1);
  });

  it('the same key with a different body, or on another resource, is a 422 problem', async () => {
    await post(`/api/v1/workflows/${helloId}/executions`, { input: { name: 'A' } }, 'start-2');
    const changed = await post(
      `/api/v1/workflows/${helloId}/executions`,
      { input: { name: 'B' } },
      'start-2',
    );
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe('SY_IDEMPOTENCY_MISMATCH');
    const other = await published(server, hello);
    const elsewhere = await post(
      `/api/v1/workflows/${other}/executions`,
      { input: { name: 'A' } },
      'start-2',
    );
    expect(elsewhere.status).toBe(422);
    // Keys are per route: the same key on another route is a new request.
    const created = await post('/api/v1/workflows', { definition: hello }, 'start-2');
    expect(created.status).toBe(201);
  });

  it('concurrent repeats act once: the others get the first answer or 409', async () => {
    const before = (await executionsOf(helloId)).length;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        post(`/api/v1/workflows/${helloId}/executions`, { input: { name: 'C' } }, 'start-concurrent'),
      ),
    );
    const started = answers.filter((a) => a.status === 202);
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(new Set(started.map((a) => a.body.id)).size).toBe(1);
    for (const answer of answers.filter((a) => a.status !== 202)) {
      expect(answer.status).toBe(409);
      expect(answer.body.code).toBe('SY_IDEMPOTENCY_IN_PROGRESS');
    }
    expect((await executionsOf(helloId)).length).toBe(before + 1);
  });

  it('applies to webhooks too, and refuses a malformed key', async () => {
    const hook = {
      format: 'switchyard/v1',
      name: 'hook',
      nodes: [
        { id: 'hook', type: 'webhook', params: { path: 'in' } },
        { id: 'done', type: 'end' },
      ],
      edges: [{ from: 'hook', to: 'done' }],
    };
    const hookId = await published(server, hook);
    const first = await post(`/hooks/${hookId}/in`, { a: 1 }, 'hook-1');
    const again = await post(`/hooks/${hookId}/in`, { a: 1 }, 'hook-1');
    expect(first.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect((await executionsOf(hookId)).length).toBe(1);
    const bad = await post('/api/v1/workflows', { definition: hello }, 'x'.repeat(256));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('SY_HTTP_VALIDATION');
  });

  it('a 4xx answer is stored and replayed too', async () => {
    const missing = await post('/api/v1/workflows/nope/executions', {}, 'missing-1');
    const again = await post('/api/v1/workflows/nope/executions', {}, 'missing-1');
    expect(missing.status).toBe(404);
    expect(again.status).toBe(404);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});
