/**
 * Hostile bodies and webhook deliveries over real HTTP: oversized, deeply nested, wrongly typed and
 * prototype-polluting bodies; webhook signatures tampered with, stale, replayed or made with another
 * secret. Each is refused, and no execution or change follows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/server/webhook-signature.ts';
import {
  call,
  executionCount,
  expectRefused,
  hello,
  published,
  startServer,
  type TestServer,
} from './attack-support.ts';

const SECRET_ENV = 'SWITCHYARD_ATTACK_HOOK_SECRET';
const SECRET = 'attack-suite-hook-secret-value';
let server: TestServer;
let hookId: string;

beforeAll(async () => {
  process.env[SECRET_ENV] = SECRET;
  server = await startServer({ bodyLimit: 64 * 1024, maxJsonDepth: 64 });
  hookId = await published(server, {
    format: 'switchyard/v1',
    name: 'signed hook',
    nodes: [
      {
        id: 'hook',
        type: 'webhook',
        params: { path: 'signed', signature: { secretEnv: SECRET_ENV, toleranceSeconds: 300 } },
      },
      { id: 'done', type: 'end' },
    ],
    edges: [{ from: 'hook', to: 'done' }],
  });
});
afterAll(async () => {
  delete process.env[SECRET_ENV];
  await server?.close();
});

describe('hostile bodies', () => {
  it('a body over the limit → 413 problem, nothing created', async () => {
    const before = (await call(server, 'GET', '/api/v1/workflows')).body.items.length;
    const big = { definition: { ...hello, name: 'x'.repeat(200 * 1024) } };
    expectRefused(await call(server, 'POST', '/api/v1/workflows', big), 413, ['SY_HTTP_BODY_TOO_LARGE']);
    const hook = await fetch(`${server.url}/hooks/${hookId}/signed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(200 * 1024) }),
    });
    expect(hook.status).toBe(413);
    expect((await call(server, 'GET', '/api/v1/workflows')).body.items.length).toBe(before);
  });

  it('10,000-deep JSON → 400 SY_HTTP_MALFORMED on the API and on a webhook; the server stays well', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    for (const raw of [deep, deepObject]) {
      expectRefused(await call(server, 'POST', '/api/v1/workflows', undefined, { raw }), 400, [
        'SY_HTTP_MALFORMED',
      ]);
      expectRefused(
        await call(server, 'POST', `/api/v1/workflows/${hookId}/executions`, undefined, { raw }),
        400,
        ['SY_HTTP_MALFORMED'],
      );
    }
    const before = await executionCount(server);
    const ts = String(Math.floor(Date.now() / 1000));
    const hook = await fetch(`${server.url}/hooks/${hookId}/signed`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-switchyard-timestamp': ts,
        'x-switchyard-signature': signBody(SECRET, ts, Buffer.from(deep)),
      },
      body: deep,
    });
    expect(hook.status).toBe(400);
    expect(await executionCount(server)).toBe(before);
    expect((await call(server, 'GET', '/healthz', undefined, { token: null })).status).toBe(200);
  });

  it('a wrong content type → 415; malformed JSON → 400', async () => {
    expectRefused(
      await call(server, 'POST', '/api/v1/workflows', undefined, {
        raw: '<xml/>',
        contentType: 'application/xml',
      }),
      415,
      ['SY_HTTP_CONTENT_TYPE'],
    );
    expectRefused(
      await call(server, 'POST', '/api/v1/workflows', undefined, {
        raw: 'definition=x',
        contentType: 'application/x-www-form-urlencoded',
      }),
      415,
      ['SY_HTTP_CONTENT_TYPE'],
    );
    expectRefused(
      await call(server, 'POST', '/api/v1/workflows', undefined, { raw: '{"definition":' }),
      400,
      ['SY_HTTP_MALFORMED'],
    );
  });

  it('__proto__ and constructor.prototype payloads pollute nothing, here or in the server', async () => {
    const payloads = [
      '{"__proto__":{"polluted":"yes"},"definition":{}}',
      '{"constructor":{"prototype":{"polluted":"yes"}},"definition":{}}',
      '{"definition":{"format":"switchyard/v1","name":"p","nodes":[{"id":"start","type":"start","__proto__":{"polluted":"yes"}}],"edges":[]}}',
    ];
    for (const raw of payloads) {
      const answer = await call(server, 'POST', '/api/v1/workflows', undefined, { raw });
      expect(answer.status, raw).toBeGreaterThanOrEqual(400);
      expect(answer.status, raw).toBeLessThan(500);
    }
    const input = await call(
      server,
      'POST',
      `/api/v1/workflows/${await published(server, hello)}/executions?wait=true`,
      undefined,
      {
        raw: '{"input":{"name":"p","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}}',
      },
    );
    expect(input.status).toBeLessThan(500);
    const hook = await fetch(`${server.url}/hooks/${hookId}/signed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"__proto__":{"polluted":"yes"}}',
    });
    expect(hook.status).toBe(401);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    // The server answers a normal request normally afterwards (an ordinary object is still ordinary).
    const listed = await call(server, 'GET', '/api/v1/workflows');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain('polluted');
    const created = await call(server, 'POST', '/api/v1/workflows', { definition: hello });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('polluted');
  });
});

describe('webhook signatures', () => {
  const deliver = (body: string, headers: Record<string, string>) =>
    fetch(`${server.url}/hooks/${hookId}/signed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const signed = (body: string, ts = String(Math.floor(Date.now() / 1000)), secret = SECRET) => ({
    'x-switchyard-timestamp': ts,
    'x-switchyard-signature': signBody(secret, ts, Buffer.from(body)),
  });

  it('tampered body, tampered timestamp, stale timestamp, another secret, no or garbled signature → 401, no execution', async () => {
    const before = await executionCount(server);
    const body = '{"amount":10}';
    const good = signed(body);
    const now = Math.floor(Date.now() / 1000);
    const attempts: [string, string, Record<string, string>][] = [
      ['tampered body', '{"amount":1000}', good],
      ['tampered timestamp', body, { ...good, 'x-switchyard-timestamp': String(now + 1) }],
      ['stale (signed 10 minutes ago)', body, signed(body, String(now - 600))],
      ['from the future', body, signed(body, String(now + 600))],
      ['another secret', body, signed(body, undefined, 'not-the-secret')],
      ['no signature', body, { 'x-switchyard-timestamp': good['x-switchyard-timestamp'] }],
      ['no timestamp', body, { 'x-switchyard-signature': good['x-switchyard-signature'] }],
      ['garbled signature', body, { ...good, 'x-switchyard-signature': 'sha256=zz' }],
      [
        'signature of the body alone',
        body,
        { ...good, 'x-switchyard-signature': signBody(SECRET, '', Buffer.from(body)).slice(0, 64) },
      ],
      ['negative timestamp', body, signed(body, '-1')],
      ['timestamp in milliseconds', body, signed(body, String(Date.now()))],
    ];
    for (const [label, sent, headers] of attempts) {
      const answer = await deliver(sent, headers);
      expect(answer.status, label).toBe(401);
      const problem = (await answer.json()) as { code: string; executionId?: string };
      expect(problem.code, label).toBe('SY_WEBHOOK_SIGNATURE');
      expect(problem.executionId).toBeUndefined();
    }
    expect(await executionCount(server)).toBe(before);
  });

  it('the same signed delivery replayed with its delivery id starts nothing new', async () => {
    const body = '{"order":1}';
    const headers = { ...signed(body), 'x-switchyard-delivery': `delivery-${Date.now()}` };
    const first = await deliver(body, headers);
    expect(first.status).toBe(202);
    const { executionId } = (await first.json()) as { executionId: string };
    const count = await executionCount(server);
    for (let i = 0; i < 3; i++) {
      const again = await deliver(body, headers);
      expect([200, 202]).toContain(again.status);
      const answer = (await again.json()) as { executionId: string; duplicate?: boolean };
      expect(answer).toEqual({ executionId, duplicate: true });
    }
    expect(await executionCount(server)).toBe(count);
  });

  it('a captured signed request replayed without a delivery id, or with a new one, is refused and starts nothing', async () => {
    const body = '{"order":2}';
    const headers = signed(body);
    const first = await deliver(body, headers);
    expect(first.status).toBe(202);
    const count = await executionCount(server);
    for (const extra of [
      {},
      { 'x-switchyard-delivery': 'fresh-id-1' },
      { 'x-switchyard-delivery': 'fresh-id-2' },
    ]) {
      const again = await deliver(body, { ...headers, ...extra });
      expect(again.status).toBe(401);
      expect(((await again.json()) as { code: string }).code).toBe('SY_WEBHOOK_SIGNATURE');
    }
    expect(await executionCount(server)).toBe(count);
  });
});
