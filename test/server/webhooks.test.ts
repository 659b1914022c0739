/**
 * Webhooks over real HTTP: async 202 and sync answers from the respond node, timeouts, signatures,
 * delivery de-duplication, bodies that stay data, and unknown targets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/server/webhook-signature.ts';
import { line as edges } from '../support/workflow-shapes.ts';
import {
  type Answer,
  call,
  published,
  slowHookWorkflow,
  startServer,
  type TestServer,
  until,
} from './fixture.ts';

/** Async: 202 at once; the `set` node copies the body through an expression, the end node outputs it. */
const asyncHook = {
  format: 'switchyard/v1',
  name: 'async hook',
  nodes: [
    { id: 'hook', type: 'webhook', params: { path: 'orders/new' } },
    { id: 'copy', type: 'set', params: { fields: { got: '{{ body }}' }, keepInput: false } },
    { id: 'done', type: 'end' },
  ],
  edges: edges('hook', 'copy', 'done'),
};

/** Sync: answered by its respond node with a status, a header and the set node's output. */
const syncHook = {
  format: 'switchyard/v1',
  name: 'sync hook',
  nodes: [
    { id: 'hook', type: 'webhook', params: { path: 'sync', respond: 'node' } },
    {
      id: 'copy',
      type: 'set',
      params: { fields: { got: '{{ body }}', method: '{{ method }}' }, keepInput: false },
    },
    { id: 'answer', type: 'respond', params: { status: 201, headers: { 'x-answered-by': 'respond' } } },
    { id: 'done', type: 'end' },
  ],
  edges: edges('hook', 'copy', 'answer', 'done'),
};

/** Sync with a short timeout and a delay before the respond node: 504, then finishes anyway. */
const slowHook = slowHookWorkflow(150, 600);

/** Sync without a respond node: answered with the output, or the failure as a problem. */
const outcomeHooks = {
  format: 'switchyard/v1',
  name: 'outcome hooks',
  nodes: [
    { id: 'ok', type: 'webhook', params: { path: 'ok', respond: 'node' } },
    { id: 'done', type: 'end', params: { output: { fine: true } } },
    { id: 'bad', type: 'webhook', params: { path: 'bad', respond: 'node' } },
    { id: 'boom', type: 'fail', params: { message: 'on purpose' } },
  ],
  edges: [...edges('ok', 'done'), ...edges('bad', 'boom')],
};

const SECRET_ENV = 'SWITCHYARD_TEST_WEBHOOK_SECRET';

const signedHook = {
  format: 'switchyard/v1',
  name: 'signed hook',
  nodes: [
    { id: 'hook', type: 'webhook', params: { path: 'signed', signature: { secretEnv: SECRET_ENV } } },
    { id: 'done', type: 'end' },
  ],
  edges: edges('hook', 'done'),
};

const credentialHook = {
  format: 'switchyard/v1',
  name: 'credential-signed hook',
  nodes: [
    { id: 'hook', type: 'webhook', params: { path: 'in', signature: { secretCredential: 'hook-secret' } } },
    { id: 'done', type: 'end' },
  ],
  edges: edges('hook', 'done'),
};

interface Sent {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field and assert on them.
  readonly body: any;
}

async function send(
  server: TestServer,
  path: string,
  init: { body?: string; headers?: Record<string, string>; method?: string } = {},
): Promise<Sent> {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    body: /json/.test(type) && text !== '' ? JSON.parse(text) : text,
  };
}

let server: TestServer;
beforeAll(async () => {
  process.env[SECRET_ENV] = 'sh-secret';
  server = await startServer({ maxWaitMs: 5000, bodyLimit: 64 * 1024 });
  await published(server, asyncHook, 'async-hook');
  await published(server, syncHook, 'sync-hook');
  await published(server, slowHook, 'slow-hook');
  await published(server, outcomeHooks, 'outcome-hooks');
  await published(server, signedHook, 'signed-hook');
});
afterAll(async () => {
  delete process.env[SECRET_ENV];
  await server.close();
});

const finished = (id: string) => async (): Promise<Answer | undefined> => {
  const answer = await call(server, 'GET', `/api/v1/executions/${id}`);
  return ['queued', 'running'].includes(answer.body.status) ? undefined : answer;
};

const executionsOf = async (workflowId: string): Promise<{ id: string }[]> =>
  (await call(server, 'GET', `/api/v1/executions?workflowId=${workflowId}&limit=100`)).body.items;

/** Looks like expressions; must come out exactly as sent. */
const trap = { a: "{{ $eval('1') }}", b: '{{ 7*6 }}', nested: ['{{ body }}', { c: '{{ headers }}' }] };

describe('async webhooks', () => {
  it('answers 202 with the execution id at once, and the execution runs from the webhook node', async () => {
    const answer = await send(server, '/hooks/async-hook/orders/new?x=1', { body: JSON.stringify({ n: 1 }) });
    expect(answer.status).toBe(202);
    expect(answer.headers.get('location')).toBe(`/api/v1/executions/${answer.body.executionId}`);
    const done = await until(finished(answer.body.executionId));
    expect(done.body).toMatchObject({
      status: 'succeeded',
      output: { got: { n: 1 } },
      trigger: { kind: 'webhook', path: 'orders/new', deliveryId: null },
    });
    expect(done.body.nodeRuns.map((r: { nodeId: string }) => r.nodeId)).toEqual(['hook', 'copy', 'done']);
    expect(done.body.input).toMatchObject({
      body: { n: 1 },
      query: { x: '1' },
      method: 'POST',
      path: '/hooks/async-hook/orders/new',
      headers: { 'content-type': 'application/json' },
    });
  });

  it('never evaluates the body: expressions in it come out literally', async () => {
    const answer = await send(server, '/hooks/async-hook/orders/new', { body: JSON.stringify(trap) });
    const done = await until(finished(answer.body.executionId));
    expect(done.body.output).toEqual({ got: trap });
  });

  it('takes form and text bodies as data', async () => {
    const form = await send(server, '/hooks/async-hook/orders/new', {
      body: 'a=1&b=%7B%7B+7*6+%7D%7D',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect((await until(finished(form.body.executionId))).body.output).toEqual({
      got: { a: '1', b: '{{ 7*6 }}' },
    });
    const text = await send(server, '/hooks/async-hook/orders/new', {
      body: '{{ 7*6 }}',
      headers: { 'content-type': 'text/plain' },
    });
    expect((await until(finished(text.body.executionId))).body.output).toEqual({ got: '{{ 7*6 }}' });
  });

  it('refuses malformed JSON, a body over the limit, and an unknown content type', async () => {
    const malformed = await send(server, '/hooks/async-hook/orders/new', { body: '{"a":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('SY_HTTP_MALFORMED');
    const large = await send(server, '/hooks/async-hook/orders/new', {
      body: JSON.stringify({ s: 'x'.repeat(70 * 1024) }),
    });
    expect(large.status).toBe(413);
    expect(large.body.code).toBe('SY_HTTP_BODY_TOO_LARGE');
    const binary = await send(server, '/hooks/async-hook/orders/new', {
      body: 'x',
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(binary.status).toBe(415);
  });

  it('answers 404 for an unknown workflow, an unknown path, or an unpublished workflow', async () => {
    const workflow = await send(server, '/hooks/nope/orders/new', { body: '{}' });
    expect(workflow.status).toBe(404);
    expect(workflow.body.code).toBe('SY_WEBHOOK_NOT_FOUND');
    expect(workflow.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const path = await send(server, '/hooks/async-hook/orders', { body: '{}' });
    expect(path.status).toBe(404);
    expect(path.body.code).toBe('SY_WEBHOOK_NOT_FOUND');
    const draft = await call(server, 'POST', '/api/v1/workflows', {
      definition: asyncHook,
      id: 'draft-hook',
    });
    expect(draft.status).toBe(201);
    const unpublished = await send(server, '/hooks/draft-hook/orders/new', { body: '{}' });
    expect(unpublished.status).toBe(404);
  });
});

describe('sync webhooks', () => {
  it('answers with the respond node: its status, headers and body, the body never evaluated', async () => {
    const answer = await send(server, '/hooks/sync-hook/sync', { body: JSON.stringify(trap) });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-answered-by')).toBe('respond');
    expect(answer.body).toEqual({ got: trap, method: 'POST' });
    await until(finished(answer.headers.get('x-switchyard-execution')!));
  });

  it('answers 504 with the execution id when the respond node is late, and the execution finishes', async () => {
    const answer = await send(server, '/hooks/slow-hook/slow', { body: '{}' });
    expect(answer.status).toBe(504);
    expect(answer.body.code).toBe('SY_WEBHOOK_TIMEOUT');
    expect(answer.body.executionId).toEqual(expect.any(String));
    const done = await until(finished(answer.body.executionId));
    expect(done.body).toMatchObject({ status: 'succeeded', output: 'finished' });
  });

  it('without a respond node: 200 with the output, or the failure as a problem', async () => {
    const ok = await send(server, '/hooks/outcome-hooks/ok', { body: '{}' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ fine: true });
    const bad = await send(server, '/hooks/outcome-hooks/bad', { body: '{}' });
    expect(bad.status).toBe(502);
    expect(bad.body).toMatchObject({ code: 'SY_WEBHOOK_EXECUTION_FAILED', executionId: expect.any(String) });
    expect(bad.body.detail).toMatch(/on purpose/);
  });
});

describe('signed webhooks', () => {
  const body = JSON.stringify({ paid: 42 });
  const now = () => String(Math.floor(Date.now() / 1000));
  const signed = (timestamp: string, signature = signBody('sh-secret', timestamp, Buffer.from(body))) => ({
    body,
    headers: { 'x-switchyard-signature': signature, 'x-switchyard-timestamp': timestamp },
  });

  it('accepts a valid signature, and hides the signature header from the workflow', async () => {
    const timestamp = now();
    const answer = await send(server, '/hooks/signed-hook/signed', signed(timestamp));
    expect(answer.status).toBe(202);
    const done = await until(finished(answer.body.executionId));
    expect(done.body.output.body).toEqual({ paid: 42 });
    expect(done.body.output.headers['x-switchyard-timestamp']).toBe(timestamp);
    expect(done.body.output.headers).not.toHaveProperty('x-switchyard-signature');
  });

  it('refuses a wrong, missing or expired signature with 401 and starts nothing', async () => {
    const before = (await executionsOf('signed-hook')).length;
    const timestamp = now();
    const wrongSecret = await send(
      server,
      '/hooks/signed-hook/signed',
      signed(timestamp, signBody('other', timestamp, Buffer.from(body))),
    );
    const tampered = await send(server, '/hooks/signed-hook/signed', {
      ...signed(timestamp),
      body: JSON.stringify({ paid: 1 }),
    });
    const missing = await send(server, '/hooks/signed-hook/signed', { body });
    const stale = String(Math.floor(Date.now() / 1000) - 301);
    const expired = await send(server, '/hooks/signed-hook/signed', signed(stale));
    const garbage = await send(server, '/hooks/signed-hook/signed', signed(timestamp, 'zz'));
    for (const answer of [wrongSecret, tampered, missing, expired, garbage]) {
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('SY_WEBHOOK_SIGNATURE');
    }
    expect(expired.body.detail).toMatch(/300 s/);
    expect((await executionsOf('signed-hook')).length).toBe(before);
  });

  it('fails closed when the secret variable is not set', async () => {
    const secret = process.env[SECRET_ENV];
    delete process.env[SECRET_ENV];
    try {
      const timestamp = now();
      const answer = await send(server, '/hooks/signed-hook/signed', signed(timestamp));
      expect(answer.status).toBe(500);
      expect(answer.body.code).toBe('SY_WEBHOOK_SECRET_MISSING');
    } finally {
      process.env[SECRET_ENV] = secret;
    }
  });
});

describe('webhooks signed with a vault credential', () => {
  const body = JSON.stringify({ paid: 7 });
  const signedWith = (secret: string) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    return {
      body,
      headers: {
        'x-switchyard-signature': signBody(secret, timestamp, Buffer.from(body)),
        'x-switchyard-timestamp': timestamp,
        authorization: 'Bearer sender-token-must-not-be-stored',
        cookie: 'session=also-not-data',
      },
    };
  };

  it("verifies with the credential of the workflow's workspace, and stores no credential headers", async () => {
    await published(server, credentialHook, 'credential-hook');
    const created = await call(server, 'POST', '/api/v1/credentials', {
      name: 'hook-secret',
      type: 'webhook',
      data: { secret: 'vault-held-secret' },
    });
    expect(created.status).toBe(201);
    const accepted = await send(server, '/hooks/credential-hook/in', signedWith('vault-held-secret'));
    expect(accepted.status).toBe(202);
    const done = await until(finished(accepted.body.executionId));
    expect(done.body.output.body).toEqual({ paid: 7 });
    expect(done.body.output.headers).not.toHaveProperty('authorization');
    expect(done.body.output.headers).not.toHaveProperty('cookie');
    expect(JSON.stringify(done.body)).not.toContain('vault-held-secret');

    const refused = await send(server, '/hooks/credential-hook/in', signedWith('guessed-secret'));
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('SY_WEBHOOK_SIGNATURE');

    expect((await call(server, 'DELETE', `/api/v1/credentials/${created.body.id}`)).status).toBe(204);
    const closed = await send(server, '/hooks/credential-hook/in', signedWith('vault-held-secret'));
    expect(closed.status).toBe(500);
    expect(closed.body.code).toBe('SY_WEBHOOK_SECRET_MISSING');
  });
});

describe('delivery de-duplication', () => {
  it('a repeated delivery id answers with the first execution and starts nothing', async () => {
    const headers = { 'x-switchyard-delivery': 'delivery-1' };
    const first = await send(server, '/hooks/async-hook/orders/new', { body: '{"n":1}', headers });
    const again = await send(server, '/hooks/async-hook/orders/new', { body: '{"n":2}', headers });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ executionId: first.body.executionId, duplicate: true });
    const done = await until(finished(first.body.executionId));
    expect(done.body.trigger).toMatchObject({ deliveryId: 'delivery-1' });
    const runs = (await executionsOf('async-hook')).filter((e) => e.id === first.body.executionId);
    expect(runs).toHaveLength(1);
  });

  it('two identical deliveries at once start one execution', async () => {
    const before = (await executionsOf('async-hook')).length;
    const headers = { 'x-switchyard-delivery': 'delivery-concurrent' };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => send(server, '/hooks/async-hook/orders/new', { body: '{}', headers })),
    );
    const ids = new Set(answers.map((a) => a.body.executionId));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(202));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.body.duplicate === true)).toHaveLength(5);
    expect((await executionsOf('async-hook')).length).toBe(before + 1);
  });

  it('a sync webhook repeat answers 200 with the first execution id', async () => {
    const headers = { 'x-switchyard-delivery': 'delivery-sync' };
    const first = await send(server, '/hooks/sync-hook/sync', { body: '{}', headers });
    const again = await send(server, '/hooks/sync-hook/sync', { body: '{}', headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.executionId).toBe(first.headers.get('x-switchyard-execution'));
  });
});
