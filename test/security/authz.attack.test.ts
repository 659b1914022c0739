/**
 * Attacks on authorisation over real HTTP: another tenant reaching for workspace A's resources by
 * id (every kind, every verb), members and keys acting above their role, spoofed forwarding and
 * tenant headers, and path-case / encoded-path variants of protected routes.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTH_CODES,
  call,
  expectRefused,
  failing,
  hello,
  memberToken,
  published,
  signUpTenant,
  slow,
  startServer,
  type TestServer,
  until,
} from './attack-support.ts';

interface WsClient {
  send(data: string): void;
  close(): void;
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}
const WebSocket = createRequire(import.meta.url)('ws') as new (url: string, protocols?: string[]) => WsClient;

let server: TestServer;
/** Workspace B's admin: a real, signed-in tenant of the same server. */
let tenantB: { token: string; userId: string; workspaceId: string };
const a = {
  workflowId: '',
  failedWorkflowId: '',
  executionId: '',
  failedExecutionId: '',
  runningExecutionId: '',
  scheduleId: '',
  credentialId: '',
  keyId: '',
  memberId: '',
};

/** What A's resources look like; compared before and after every attack. */
async function snapshotOfA(): Promise<string> {
  const get = async (path: string) => {
    const answer = await call(server, 'GET', path);
    expect(answer.status, path).toBe(200);
    const { updatedAt: _ignored, ...rest } = answer.body;
    return rest;
  };
  return JSON.stringify({
    workflow: await get(`/api/v1/workflows/${a.workflowId}`),
    versions: await get(`/api/v1/workflows/${a.workflowId}/versions`),
    execution: await get(`/api/v1/executions/${a.executionId}`),
    failed: (await get(`/api/v1/executions/${a.failedExecutionId}`)).status,
    schedule: await get(`/api/v1/schedules/${a.scheduleId}`),
    credential: await get(`/api/v1/credentials/${a.credentialId}`),
    keys: (await get('/api/v1/api-keys')).items.map((k: { id: string; revokedAt: unknown }) => [
      k.id,
      k.revokedAt,
    ]),
    members: await get('/api/v1/members'),
    executions: (await get('/api/v1/executions?limit=100')).items.length,
    workspace: await get('/api/v1/workspace'),
  });
}

beforeAll(async () => {
  server = await startServer({}, { settings: { signup: 'open' } });
  a.workflowId = await published(server, hello);
  a.failedWorkflowId = await published(server, failing);
  const run = await call(server, 'POST', `/api/v1/workflows/${a.workflowId}/executions?wait=true`, {
    input: { name: 'A' },
  });
  a.executionId = run.body.id;
  const failed = await call(
    server,
    'POST',
    `/api/v1/workflows/${a.failedWorkflowId}/executions?wait=true`,
    {},
  );
  a.failedExecutionId = failed.body.id;
  const schedule = await call(server, 'POST', '/api/v1/schedules', {
    workflowId: a.workflowId,
    cron: '0 0 1 1 *',
    enabled: false,
  });
  expect(schedule.status).toBe(201);
  a.scheduleId = schedule.body.id;
  const credential = await call(server, 'POST', '/api/v1/credentials', {
    name: 'a-secret',
    type: 'bearer',
    data: { token: 'a-token-value-123' },
  });
  a.credentialId = credential.body.id;
  const key = await call(server, 'POST', '/api/v1/api-keys', { name: 'a-key', scopes: ['read'] });
  a.keyId = key.body.id;
  a.memberId = (await memberToken(server, 'a-viewer@example.com', 'viewer')).userId;
  tenantB = await signUpTenant(server, 'mallory@example.org');
});
afterAll(async () => server?.close());

describe("another workspace's ids", () => {
  it('B is a different workspace with its own admin', async () => {
    const me = await call(server, 'GET', '/api/v1/auth/me', undefined, { token: tenantB.token });
    expect(me.status).toBe(200);
    expect(me.body.role).toBe('admin');
    const mine = await call(server, 'GET', '/api/v1/auth/me');
    expect(me.body.workspaceId).not.toBe(mine.body.workspaceId);
  });

  it("every verb on every kind of A's resource answers B with 404, never 403, and A is unchanged", async () => {
    const before = await snapshotOfA();
    const attacks: [string, string, unknown?][] = [
      ['GET', `/api/v1/workflows/${a.workflowId}`],
      ['PATCH', `/api/v1/workflows/${a.workflowId}`, { name: 'pwned' }],
      ['DELETE', `/api/v1/workflows/${a.workflowId}`],
      ['POST', `/api/v1/workflows/${a.workflowId}/validate`, {}],
      ['GET', `/api/v1/workflows/${a.workflowId}/export`],
      ['GET', `/api/v1/workflows/${a.workflowId}/diff?from=1`],
      ['POST', `/api/v1/workflows/${a.workflowId}/versions`, {}],
      ['GET', `/api/v1/workflows/${a.workflowId}/versions`],
      ['GET', `/api/v1/workflows/${a.workflowId}/versions/1`],
      ['POST', `/api/v1/workflows/${a.workflowId}/versions/1/restore`, {}],
      ['POST', `/api/v1/workflows/${a.workflowId}/executions`, { input: {} }],
      ['POST', `/api/v1/workflows/${a.workflowId}/executions?wait=true`, { input: {} }],
      ['GET', `/api/v1/executions/${a.executionId}`],
      ['POST', `/api/v1/executions/${a.executionId}/cancel`, {}],
      ['POST', `/api/v1/executions/${a.failedExecutionId}/retry`, {}],
      ['POST', `/api/v1/executions/${a.executionId}/replay`, { fromNode: 'greet' }],
      ['GET', `/api/v1/executions/${a.executionId}/events`],
      ['GET', `/api/v1/schedules/${a.scheduleId}`],
      ['PATCH', `/api/v1/schedules/${a.scheduleId}`, { enabled: true, cron: '* * * * *' }],
      ['DELETE', `/api/v1/schedules/${a.scheduleId}`],
      ['GET', `/api/v1/credentials/${a.credentialId}`],
      ['PATCH', `/api/v1/credentials/${a.credentialId}`, { data: { token: 'mallory' } }],
      ['DELETE', `/api/v1/credentials/${a.credentialId}`],
      ['DELETE', `/api/v1/api-keys/${a.keyId}`],
      ['PATCH', `/api/v1/members/${a.memberId}`, { role: 'admin' }],
      ['DELETE', `/api/v1/members/${a.memberId}`],
      ['PATCH', `/api/v1/members/${tenantB.userId === a.memberId ? '' : a.memberId}`, { role: 'viewer' }],
    ];
    for (const [method, path, body] of attacks) {
      const answer = await call(server, method, path, body, { token: tenantB.token });
      expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(404);
      expect(answer.type).toMatch(/problem\+json/);
      expect(JSON.stringify(answer.body), `${method} ${path}`).not.toContain('Hello');
      expect(JSON.stringify(answer.body), `${method} ${path}`).not.toContain('a-token-value');
    }
    expect(await snapshotOfA()).toBe(before);
  });

  it("B cannot point its own schedule at A's workflow, nor import it under A's id", async () => {
    const before = await snapshotOfA();
    const schedule = await call(
      server,
      'POST',
      '/api/v1/schedules',
      { workflowId: a.workflowId, cron: '* * * * *' },
      { token: tenantB.token },
    );
    expect(schedule.status, JSON.stringify(schedule.body)).toBe(404);
    // Claiming A's workflow id for a workflow of B's must neither overwrite A's nor reveal it exists.
    const clash = await call(
      server,
      'POST',
      '/api/v1/workflows',
      { id: a.workflowId, definition: { ...hello, name: 'mallory' } },
      { token: tenantB.token },
    );
    expect([201, 409]).toContain(clash.status);
    expect(await snapshotOfA()).toBe(before);
    const mine = await call(server, 'GET', `/api/v1/workflows/${a.workflowId}`);
    expect(mine.body.name).toBe('hello');
  });

  it('nothing of A appears in any listing of B', async () => {
    const secretsOfA = [
      a.workflowId,
      a.executionId,
      a.scheduleId,
      a.credentialId,
      a.keyId,
      a.memberId,
      'admin@example.com',
    ];
    for (const path of [
      '/api/v1/workflows',
      '/api/v1/executions?limit=100',
      '/api/v1/schedules',
      '/api/v1/credentials',
      '/api/v1/api-keys',
      '/api/v1/members',
      '/api/v1/audit?limit=100',
      '/api/v1/workspace',
    ]) {
      const answer = await call(server, 'GET', path, undefined, { token: tenantB.token });
      expect(answer.status, path).toBe(200);
      const text = JSON.stringify(answer.body);
      for (const id of secretsOfA) expect(text, `${path} shows ${id}`).not.toContain(id);
    }
  });

  it("B subscribing to A's execution over the WebSocket receives no event", async () => {
    const running = await call(
      server,
      'POST',
      `/api/v1/workflows/${await published(server, slow)}/executions`,
      {},
    );
    a.runningExecutionId = running.body.id;
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/ws`, [
      'switchyard',
      `bearer.${tenantB.token}`,
    ]);
    const frames: { type: string; code?: string }[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(data.toString('utf8'))));
    await new Promise<void>((resolve, reject) => {
      socket.on('open', resolve);
      socket.on('error', reject);
    });
    socket.send(JSON.stringify({ type: 'subscribe', executionId: a.executionId }));
    socket.send(JSON.stringify({ type: 'subscribe', executionId: a.runningExecutionId }));
    await until(async () => (frames.filter((f) => f.type === 'error').length >= 2 ? true : undefined), 5000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.close();
    expect(frames.filter((f) => f.type === 'event' || f.type === 'subscribed')).toEqual([]);
    expect(frames.map((f) => f.code)).toEqual(['SY_EXECUTION_NOT_FOUND', 'SY_EXECUTION_NOT_FOUND']);
    await call(server, 'POST', `/api/v1/executions/${a.runningExecutionId}/cancel`, {});
  });

  it('a WebSocket without a token, or with a token in the URL, is refused — and the refusal does not hold shutdown', async () => {
    // Its own server: a refused upgrade is what this case attacks, and it must not hang the shared one.
    const own = await startServer();
    for (const url of [
      '/api/v1/ws',
      `/api/v1/ws?token=${own.token}`,
      `/api/v1/ws?access_token=${own.token}`,
    ]) {
      const socket = new WebSocket(`${own.url.replace(/^http/, 'ws')}${url}`, ['switchyard']);
      const outcome = await new Promise<string>((resolve) => {
        socket.on('open', () => resolve('open'));
        socket.on('error', (error) => resolve(error.message));
      });
      socket.close();
      expect(outcome, url).toMatch(/401/);
    }
    // An anonymous client that only asks for an upgrade must not keep the server from closing.
    const closed = await Promise.race([
      own.close().then(() => 'closed'),
      new Promise<string>((resolve) =>
        setTimeout(() => resolve('server.close() still pending after 5 s'), 5000),
      ),
    ]);
    expect(closed).toBe('closed');
  }, 15_000);
});

describe('roles and scopes', () => {
  let viewer: string;
  let editor: string;

  beforeAll(async () => {
    viewer = (await memberToken(server, 'vic.viewer@example.com', 'viewer')).token;
    editor = (await memberToken(server, 'eddie.editor@example.com', 'editor')).token;
  });

  it('a viewer cannot run, export, write workflows, create credentials, add members, read the audit log or mint run keys', async () => {
    const before = await snapshotOfA();
    const credentialsBefore = (await call(server, 'GET', '/api/v1/credentials')).body.items.length;
    for (const [method, path, body] of [
      ['POST', `/api/v1/workflows/${a.workflowId}/executions?wait=true`, { input: {} }],
      ['POST', `/api/v1/executions/${a.executionId}/replay`, { fromNode: 'greet' }],
      ['POST', `/api/v1/executions/${a.failedExecutionId}/retry`, {}],
      ['GET', `/api/v1/workflows/${a.workflowId}/export`, undefined],
      ['POST', '/api/v1/workflows', { definition: hello }],
      ['POST', '/api/v1/workflows/import', { definition: hello }],
      ['PATCH', `/api/v1/workflows/${a.workflowId}`, { name: 'viewer was here' }],
      ['DELETE', `/api/v1/workflows/${a.workflowId}`, undefined],
      ['POST', `/api/v1/workflows/${a.workflowId}/versions`, {}],
      ['POST', '/api/v1/credentials', { name: 'v', type: 'bearer', data: { token: 'x' } }],
      ['DELETE', `/api/v1/credentials/${a.credentialId}`, undefined],
      [
        'POST',
        '/api/v1/members',
        { email: 'friend@example.com', role: 'admin', password: 'another long passphrase 9' },
      ],
      ['PATCH', `/api/v1/members/${a.memberId}`, { role: 'admin' }],
      ['GET', '/api/v1/audit', undefined],
      ['PATCH', '/api/v1/workspace', { outboundAllow: ['10.0.0.0/8'] }],
      ['DELETE', `/api/v1/schedules/${a.scheduleId}`, undefined],
    ] as const) {
      expectRefused(await call(server, method, path, body, { token: viewer }), 403, ['SY_AUTH_FORBIDDEN']);
    }
    expectRefused(
      await call(
        server,
        'POST',
        '/api/v1/api-keys',
        { name: 'escalate', scopes: ['read', 'run'] },
        { token: viewer },
      ),
      403,
      ['SY_AUTH_FORBIDDEN'],
    );
    expect(await snapshotOfA()).toBe(before);
    expect((await call(server, 'GET', '/api/v1/credentials')).body.items.length).toBe(credentialsBefore);
    const denied = await call(server, 'GET', '/api/v1/audit?action=access.denied&limit=100');
    expect(denied.body.items.length).toBeGreaterThanOrEqual(10);
  });

  it('an editor cannot change members, read the audit log or open the outbound allow-list', async () => {
    const before = await snapshotOfA();
    for (const [method, path, body] of [
      [
        'POST',
        '/api/v1/members',
        { email: 'eddie2@example.com', role: 'admin', password: 'another long passphrase 9' },
      ],
      ['PATCH', `/api/v1/members/${a.memberId}`, { role: 'admin' }],
      ['DELETE', `/api/v1/members/${a.memberId}`, undefined],
      ['GET', '/api/v1/audit', undefined],
      ['PATCH', '/api/v1/workspace', { outboundAllow: ['169.254.169.254'] }],
    ] as const) {
      expectRefused(await call(server, method, path, body, { token: editor }), 403, ['SY_AUTH_FORBIDDEN']);
    }
    expectRefused(
      await call(server, 'POST', '/api/v1/api-keys', { name: 'up', scopes: ['admin'] }, { token: editor }),
      403,
      ['SY_AUTH_FORBIDDEN'],
    );
    expect(await snapshotOfA()).toBe(before);
  });

  it('a read-scoped key cannot run or write; a key without the admin scope cannot mint or revoke keys', async () => {
    const made = await call(server, 'POST', '/api/v1/api-keys', { name: 'reader', scopes: ['read'] });
    const key: string = made.body.key;
    const runKey: string = (
      await call(server, 'POST', '/api/v1/api-keys', { name: 'runner', scopes: ['read', 'run', 'write'] })
    ).body.key;
    const before = await snapshotOfA();
    expect((await call(server, 'GET', '/api/v1/workflows', undefined, { token: key })).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', `/api/v1/workflows/${a.workflowId}/executions`, { input: {} }],
      ['POST', '/api/v1/workflows', { definition: hello }],
      ['GET', `/api/v1/workflows/${a.workflowId}/export`, undefined],
    ] as const) {
      expectRefused(await call(server, method, path, body, { token: key }), 403, ['SY_AUTH_FORBIDDEN']);
    }
    for (const token of [key, runKey]) {
      expectRefused(
        await call(server, 'POST', '/api/v1/api-keys', { name: 'successor', scopes: ['read'] }, { token }),
        403,
        ['SY_AUTH_FORBIDDEN'],
      );
      expectRefused(await call(server, 'DELETE', `/api/v1/api-keys/${a.keyId}`, undefined, { token }), 403, [
        'SY_AUTH_FORBIDDEN',
      ]);
      expectRefused(await call(server, 'GET', '/api/v1/audit', undefined, { token }), 403, [
        'SY_AUTH_FORBIDDEN',
      ]);
    }
    expect(await snapshotOfA()).toBe(before);
  });
});

describe('spoofed headers', () => {
  it('X-Workspace-Id / X-Tenant-Id / X-Forwarded-* / X-Original-URL / method overrides change nothing', async () => {
    const before = await snapshotOfA();
    const spoof = {
      'x-workspace-id': tenantB.workspaceId,
      'x-tenant-id': tenantB.workspaceId,
      'x-forwarded-for': '1.2.3.4',
      'x-real-ip': '1.2.3.4',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-original-url': `/api/v1/workflows/${a.workflowId}`,
      'x-rewrite-url': `/api/v1/workflows/${a.workflowId}`,
      'x-http-method-override': 'DELETE',
      'x-method-override': 'DELETE',
    };
    // B with every header pointing at A: still B, still 404 on A's workflow, still nothing of A listed.
    const got = await call(server, 'GET', `/api/v1/workflows/${a.workflowId}`, undefined, {
      token: tenantB.token,
      headers: spoof,
    });
    expectRefused(got, 404, ['SY_WORKFLOW_NOT_FOUND']);
    const listed = await call(server, 'GET', '/api/v1/workflows', undefined, {
      token: tenantB.token,
      headers: spoof,
    });
    expect(JSON.stringify(listed.body)).not.toContain(a.workflowId);
    const me = await call(server, 'GET', '/api/v1/auth/me', undefined, {
      token: tenantB.token,
      headers: spoof,
    });
    expect(me.body.workspaceId).toBe(tenantB.workspaceId);
    // Anonymous with X-Original-URL on a public route does not reach the protected one.
    const health = await call(server, 'GET', '/healthz', undefined, { token: null, headers: spoof });
    expect(JSON.stringify(health.body)).not.toContain('hello');
    // A's own GET with a DELETE override stays a GET.
    const read = await call(server, 'GET', `/api/v1/workflows/${a.workflowId}`, undefined, {
      headers: spoof,
    });
    expect(read.status).toBe(200);
    const post = await call(
      server,
      'POST',
      `/api/v1/workflows/${a.workflowId}/validate`,
      {},
      { headers: spoof, token: tenantB.token },
    );
    expect(post.status).toBe(404);
    expect(await snapshotOfA()).toBe(before);
  });

  it('the audit log records the socket address, not X-Forwarded-For', async () => {
    const marker = `spoof-${Date.now()}`;
    const made = await call(
      server,
      'POST',
      '/api/v1/credentials',
      { name: marker, type: 'bearer', data: { token: 'irrelevant-value' } },
      { headers: { 'x-forwarded-for': '1.2.3.4', 'x-real-ip': '1.2.3.4', forwarded: 'for=1.2.3.4' } },
    );
    expect(made.status).toBe(201);
    const audit = await call(server, 'GET', '/api/v1/audit?action=credential.create&limit=100');
    const entry = audit.body.items.find((e: { target: string }) => e.target === `credential:${made.body.id}`);
    expect(entry.ip).toBe('127.0.0.1');
    await call(server, 'DELETE', `/api/v1/credentials/${made.body.id}`);
  });
});

describe('path variants', () => {
  it.each([
    '/API/v1/workflows',
    '/api/v1/Workflows',
    '/api/V1/workflows',
    '/api/v1//workflows',
    '/api/v1/workflows/',
    '/api/v1/%77orkflows',
    '/api/v1/workflows%2f',
    '/api/v1/workflows/..%2f..%2fhealthz',
    '/api/v1/./workflows',
    '/api/v1/workflows/../workflows',
    '/api/v1/workflows;.css',
    '/api/v1/workflows%00',
    '/api/v1/audit/',
    '/api/v1/credentials%2F',
    '//api/v1/workflows',
    '/healthz/../api/v1/workflows',
    '/api/v1/docs/../workflows',
    '/api/v1/docs/..%2fworkflows',
    '/api/v1/openapi.json/../workflows',
  ])('%s without a token → 404 or 401, never data', async (path) => {
    const answer = await fetch(`${server.url}${path}`);
    const text = await answer.text();
    expect([400, 401, 404], `${path}: ${answer.status} ${text.slice(0, 200)}`).toContain(answer.status);
    for (const leak of [a.workflowId, a.credentialId, '"items"', 'admin@example.com']) {
      expect(text, path).not.toContain(leak);
    }
  });

  it("an encoded id of A's workflow does not slip past B's workspace", async () => {
    const encoded = encodeURIComponent(a.workflowId).replace(
      /[a-z]/,
      (c) => `%${c.charCodeAt(0).toString(16)}`,
    );
    const answer = await call(server, 'GET', `/api/v1/workflows/${encoded}`, undefined, {
      token: tenantB.token,
    });
    expect(answer.status).toBe(404);
    const upper = await call(server, 'GET', `/api/v1/workflows/${a.workflowId.toUpperCase()}`, undefined, {
      token: tenantB.token,
    });
    expect(upper.status).toBe(404);
    expect(AUTH_CODES).not.toContain(answer.body.code);
  });
});
