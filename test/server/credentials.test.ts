/**
 * The credential vault over real HTTP: values go in and never come out, nodes of the workspace use
 * them (through the SSRF-guarded client), what they leave behind is redacted, and master keys rotate.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/security/vault/key-ring.ts';
import { call, published, startServer, type TestServer } from './fixture.ts';

/** A local service that echoes the Authorization header it received: the worst case for leaks. */
let echo: Server;
let echoUrl: string;
const received: IncomingHttpHeaders[] = [];
beforeAll(async () => {
  echo = createServer((request, response) => {
    received.push(request.headers);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ youSent: request.headers.authorization ?? null }));
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

const caller = (url: string) => ({
  format: 'switchyard/v1',
  name: 'calls out',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'call', type: 'http', params: { url, credential: 'echo-token', auth: 'bearer' } },
    { id: 'done', type: 'end', params: { output: '{{ body }}' } },
  ],
  edges: [
    { from: 'start', to: 'call' },
    { from: 'call', to: 'done' },
  ],
});

async function runToEnd(server: TestServer, workflowId: string) {
  const started = await call(server, 'POST', `/api/v1/workflows/${workflowId}/executions?wait=true`, {});
  expect(started.status).toBe(200);
  return started.body;
}

describe('the credential vault', () => {
  let server: TestServer;
  const secret = `sk-live-${randomBytes(12).toString('hex')}`;
  beforeAll(async () => {
    server = await startServer();
    // The echo service is on loopback: this workspace opens it explicitly.
    const allowed = await call(server, 'PATCH', '/api/v1/workspace', { outboundAllow: ['127.0.0.1'] });
    expect(allowed.status).toBe(200);
  });
  afterAll(() => server.close());

  it('never returns a value: not on create, get, list or update', async () => {
    const created = await call(server, 'POST', '/api/v1/credentials', {
      name: 'echo-token',
      type: 'bearer',
      data: { token: secret },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'echo-token', type: 'bearer', fields: ['token'] });
    const answers = [
      created,
      await call(server, 'GET', `/api/v1/credentials/${created.body.id}`),
      await call(server, 'GET', '/api/v1/credentials'),
      await call(server, 'PATCH', `/api/v1/credentials/${created.body.id}`, { data: { token: secret } }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBeLessThan(300);
      expect(JSON.stringify(answer.body)).not.toContain(secret);
    }
    const sealed = await server.deps.store.credentials.sealedByName('default', 'echo-token');
    expect(sealed?.sealed).toMatch(/^sy1\./);
    expect(sealed?.sealed).not.toContain(secret);
    expect(Buffer.from(sealed?.sealed ?? '', 'base64').toString('latin1')).not.toContain(secret);
    const duplicate = await call(server, 'POST', '/api/v1/credentials', {
      name: 'echo-token',
      type: 'bearer',
      data: { token: 'x' },
    });
    expect(duplicate.status).toBe(409);
  });

  it('lets a node use it, and redacts it from everything the execution stored or streamed', async () => {
    const workflowId = await published(server, caller(echoUrl));
    const execution = await runToEnd(server, workflowId);
    expect(execution.status).toBe('succeeded');
    expect(received.at(-1)?.authorization).toBe(`Bearer ${secret}`);
    // The service echoed the secret back: the output must not carry it.
    expect(execution.output).toEqual({ youSent: 'Bearer [REDACTED]' });

    const stored = [
      await call(server, 'GET', `/api/v1/executions/${execution.id}`),
      await call(server, 'GET', `/api/v1/executions/${execution.id}/events`),
    ];
    for (const answer of stored) expect(JSON.stringify(answer.body)).not.toContain(secret);
    const rows = [
      await server.deps.store.nodeRuns.list(execution.id),
      await server.deps.store.events.list(execution.id, 0, 1000),
      await server.deps.store.executions.get('default', execution.id),
    ];
    for (const row of rows) expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('refuses what the SSRF guard blocks even with a credential, and a missing credential is a clear failure', async () => {
    const blocked = await runToEnd(server, await published(server, caller('http://169.254.169.254/latest')));
    expect(blocked.status).toBe('failed');
    expect(blocked.error.code).toBe('SY_OUTBOUND_BLOCKED');
    await call(
      server,
      'DELETE',
      `/api/v1/credentials/${(await server.deps.store.credentials.sealedByName('default', 'echo-token'))?.id}`,
    );
    const missing = await runToEnd(server, await published(server, caller(echoUrl)));
    expect(missing.error.code).toBe('SY_CREDENTIAL_NOT_FOUND');
  });
});

describe('master key rotation', () => {
  it('opens old records with an old key still in the ring, and fails closed once it is gone', async () => {
    const oldKey = { id: 'k1', key: randomBytes(32) };
    const first = await startServer({}, { keyRing: new KeyRing([oldKey]) });
    // The sealed row moves to the next servers as a restored backup would.
    const created = await call(first, 'POST', '/api/v1/credentials', {
      name: 'echo-token',
      type: 'bearer',
      data: { token: 'rotating-secret-1' },
    });
    const row = await first.deps.store.credentials.sealedById('default', created.body.id);
    await first.close();

    const rotated = await startServer(
      {},
      { keyRing: new KeyRing([{ id: 'k2', key: randomBytes(32) }, oldKey]) },
    );
    const retired = await startServer({}, { keyRing: new KeyRing([{ id: 'k3', key: randomBytes(32) }]) });
    try {
      for (const server of [rotated, retired]) {
        expect(await server.deps.store.credentials.create({ ...row!, workspaceId: 'default' })).not.toBe(
          'exists',
        );
        await call(server, 'PATCH', '/api/v1/workspace', { outboundAllow: ['127.0.0.1'] });
      }
      const ok = await runToEnd(rotated, await published(rotated, caller(echoUrl)));
      expect(ok.status).toBe('succeeded');
      expect(received.at(-1)?.authorization).toBe('Bearer rotating-secret-1');
      // Re-saving seals under the current key.
      const resaved = await call(rotated, 'PATCH', `/api/v1/credentials/${row!.id}`, {
        data: { token: 'rotating-secret-2' },
      });
      expect((await rotated.deps.store.credentials.get('default', resaved.body.id))?.keyId).toBe('k2');

      const closed = await runToEnd(retired, await published(retired, caller(echoUrl)));
      expect(closed.status).toBe('failed');
      expect(closed.error.code).toBe('SY_VAULT_KEY_MISSING');
      expect(closed.error.message).toContain('k1');
    } finally {
      await rotated.close();
      await retired.close();
    }
  });

  it('fails closed on a tampered record', async () => {
    const server = await startServer();
    try {
      await call(server, 'PATCH', '/api/v1/workspace', { outboundAllow: ['127.0.0.1'] });
      const created = await call(server, 'POST', '/api/v1/credentials', {
        name: 'echo-token',
        type: 'bearer',
        data: { token: 'original' },
      });
      const row = await server.deps.store.credentials.sealedById('default', created.body.id);
      const other = await call(server, 'POST', '/api/v1/credentials', {
        name: 'other',
        type: 'bearer',
        data: { token: 'other-secret' },
      });
      const otherRow = await server.deps.store.credentials.sealedById('default', other.body.id);
      // Swap the other record's sealed value into this one: bound to its record, it must not open here.
      await server.deps.store.credentials.update('default', row!.id, {
        sealed: { sealed: otherRow!.sealed, keyId: otherRow!.keyId, fields: ['token'] },
        now: Date.now(),
      });
      const swapped = await runToEnd(server, await published(server, caller(echoUrl)));
      expect(swapped.error.code).toBe('SY_VAULT_TAMPERED');
      expect(received.at(-1)?.authorization).not.toBe('Bearer other-secret');
    } finally {
      await server.close();
    }
  });
});
