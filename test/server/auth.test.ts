/**
 * Identity over real HTTP: sign-up, sign-in with its cookies, refresh rotation and reuse, sign-out,
 * API keys, members and roles, the route table, and the audit trail they leave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, call, hello, published, startServer, type TestServer } from './fixture.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

interface Cookies {
  readonly refresh: string;
  readonly csrf: string;
  readonly raw: string[];
}

function cookiesOf(headers: Headers): Cookies {
  const raw = headers.getSetCookie();
  const value = (name: string) =>
    raw
      .find((c) => c.startsWith(`${name}=`))
      ?.split(';')[0]
      ?.slice(name.length + 1) ?? '';
  return { refresh: value('sy_refresh'), csrf: value('sy_csrf'), raw };
}

async function login(email: string, password: string): Promise<{ answer: Answer; cookies: Cookies }> {
  const response = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const text = await response.text();
  return {
    answer: {
      status: response.status,
      type: '',
      headers: response.headers,
      body: text ? JSON.parse(text) : text,
    },
    cookies: cookiesOf(response.headers),
  };
}

async function refresh(cookies: Cookies, csrf: string | null = cookies.csrf) {
  const response = await fetch(`${server.url}/api/v1/auth/refresh`, {
    method: 'POST',
    headers: {
      cookie: `sy_refresh=${cookies.refresh}; sy_csrf=${cookies.csrf}`,
      ...(csrf === null ? {} : { 'x-csrf-token': csrf }),
    },
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field.
  const body: any = await response.json();
  return { status: response.status, body, cookies: cookiesOf(response.headers) };
}

const whoAmI = (token: string) => call(server, 'GET', '/api/v1/auth/me', undefined, { token });

describe('sign-up and sign-in', () => {
  it('made the first account admin, and closes sign-up after it', async () => {
    const me = await call(server, 'GET', '/api/v1/auth/me');
    expect(me.body).toMatchObject({ kind: 'user', workspaceId: 'default', role: 'admin' });
    expect(me.body.permissions).toEqual(['read', 'run', 'write', 'admin']);
    const second = await call(
      server,
      'POST',
      '/api/v1/auth/signup',
      { email: 'late@example.com', password: 'another long passphrase' },
      { token: null },
    );
    expect(second.status).toBe(403);
    expect(second.body.code).toBe('SY_AUTH_SIGNUP_CLOSED');
  });

  it('signs in with HttpOnly, Secure, SameSite=Strict session cookies, and no refresh token in the body', async () => {
    const { answer, cookies } = await login('ADMIN@example.com', server.admin.password);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      tokenType: 'Bearer',
      role: 'admin',
      user: { email: 'admin@example.com' },
    });
    expect(JSON.stringify(answer.body)).not.toContain(cookies.refresh);
    const refreshCookie = cookies.raw.find((c) => c.startsWith('sy_refresh='))!;
    expect(refreshCookie).toMatch(/HttpOnly/i);
    expect(refreshCookie).toMatch(/Secure/i);
    expect(refreshCookie).toMatch(/SameSite=Strict/i);
    expect(refreshCookie).toMatch(/Path=\/api\/v1\/auth/);
    expect(cookies.raw.find((c) => c.startsWith('sy_csrf='))).not.toMatch(/HttpOnly/i);
    expect((await whoAmI(answer.body.accessToken)).status).toBe(200);
  });

  it('gives the same answer for an unknown account and a wrong password', async () => {
    const unknown = await login('nobody@example.com', 'whatever password 1');
    const wrong = await login('admin@example.com', 'whatever password 1');
    expect(unknown.answer.status).toBe(401);
    expect(wrong.answer.status).toBe(401);
    expect(unknown.answer.body.code).toBe('SY_AUTH_BAD_CREDENTIALS');
    expect(unknown.answer.body.detail).toBe(wrong.answer.body.detail);
  });
});

describe('refresh and sign-out', () => {
  it('rotates the refresh cookie on use and needs the CSRF header', async () => {
    const { cookies } = await login(server.admin.email, server.admin.password);
    const noCsrf = await refresh(cookies, null);
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.code).toBe('SY_AUTH_CSRF');
    const wrongCsrf = await refresh(cookies, 'forged');
    expect(wrongCsrf.status).toBe(403);

    const first = await refresh(cookies);
    expect(first.status).toBe(200);
    expect(first.cookies.refresh).not.toBe(cookies.refresh);
    expect((await whoAmI(first.body.accessToken)).status).toBe(200);
  });

  it('treats a reused refresh token as theft: the whole session ends', async () => {
    const { answer, cookies } = await login(server.admin.email, server.admin.password);
    const rotated = await refresh(cookies);
    expect(rotated.status).toBe(200);
    const replay = await refresh(cookies);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('SY_AUTH_REFRESH_INVALID');
    // The legitimate successor and the session's access tokens are dead too.
    expect((await refresh(rotated.cookies)).status).toBe(401);
    expect((await whoAmI(rotated.body.accessToken)).status).toBe(401);
    expect((await whoAmI(answer.body.accessToken)).status).toBe(401);
    const audit = await call(server, 'GET', '/api/v1/audit?action=auth.refresh.reuse');
    expect(audit.status).toBe(200);
  });

  it('signs out with the bearer token: that session stops at once, others go on', async () => {
    const one = await login(server.admin.email, server.admin.password);
    const two = await login(server.admin.email, server.admin.password);
    const out = await call(server, 'POST', '/api/v1/auth/logout', undefined, {
      token: one.answer.body.accessToken,
    });
    expect(out.status).toBe(204);
    const me = await whoAmI(one.answer.body.accessToken);
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('SY_AUTH_INVALID_TOKEN');
    expect((await refresh(one.cookies)).status).toBe(401);
    expect((await whoAmI(two.answer.body.accessToken)).status).toBe(200);
  });
});

describe('API keys', () => {
  it('shows the key once, stores only its hash, authenticates with its scopes, and dies when revoked', async () => {
    const created = await call(server, 'POST', '/api/v1/api-keys', { name: 'ci', scopes: ['read'] });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^sy_key_/);
    const listed = await call(server, 'GET', '/api/v1/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(listed.body.items.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({
      prefix: key.slice(0, 12),
      scopes: ['read'],
      revokedAt: null,
    });
    const stored = await server.deps.store.apiKeys.find(created.body.id);
    expect(JSON.stringify(stored)).not.toContain(key.slice(20));

    const me = await whoAmI(key);
    expect(me.body).toMatchObject({ kind: 'key', keyId: created.body.id, permissions: ['read'] });
    expect((await call(server, 'GET', '/api/v1/workflows', undefined, { token: key })).status).toBe(200);
    const write = await call(server, 'POST', '/api/v1/workflows', { definition: hello }, { token: key });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('SY_AUTH_FORBIDDEN');
    const mint = await call(
      server,
      'POST',
      '/api/v1/api-keys',
      { name: 'x', scopes: ['read'] },
      { token: key },
    );
    expect(mint.status).toBe(403);
    expect((await server.deps.store.apiKeys.find(created.body.id))?.lastUsedAt).not.toBeNull();

    expect((await call(server, 'DELETE', `/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
    const after = await whoAmI(key);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('SY_AUTH_INVALID_TOKEN');
    expect((await call(server, 'DELETE', `/api/v1/api-keys/${created.body.id}`)).status).toBe(404);
  });
});

describe('members and roles', () => {
  it('adds a viewer who can read but not change or run; a promotion takes effect at once; removal ends access', async () => {
    const workflowId = await published(server, hello);
    const added = await call(server, 'POST', '/api/v1/members', {
      email: 'Viewer@Example.com',
      role: 'viewer',
      password: 'viewer passphrase long',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ email: 'viewer@example.com', role: 'viewer' });
    const { answer } = await login('viewer@example.com', 'viewer passphrase long');
    const token: string = answer.body.accessToken;

    expect((await call(server, 'GET', `/api/v1/workflows/${workflowId}`, undefined, { token })).status).toBe(
      200,
    );
    const run = await call(server, 'POST', `/api/v1/workflows/${workflowId}/executions`, {}, { token });
    expect(run.status).toBe(403);
    expect(run.body.detail).toMatch(/"run" permission/);
    const exported = await call(server, 'GET', `/api/v1/workflows/${workflowId}/export`, undefined, {
      token,
    });
    expect(exported.status).toBe(403);
    const keyTooStrong = await call(
      server,
      'POST',
      '/api/v1/api-keys',
      { name: 'k', scopes: ['run'] },
      { token },
    );
    expect(keyTooStrong.status).toBe(403);

    const promoted = await call(server, 'PATCH', `/api/v1/members/${added.body.userId}`, { role: 'editor' });
    expect(promoted.body.role).toBe('editor');
    expect(
      (await call(server, 'POST', `/api/v1/workflows/${workflowId}/executions`, {}, { token })).status,
    ).toBe(202);
    expect((await call(server, 'GET', '/api/v1/audit', undefined, { token })).status).toBe(403);

    expect((await call(server, 'DELETE', `/api/v1/members/${added.body.userId}`)).status).toBe(204);
    expect((await whoAmI(token)).status).toBe(401);

    const denied = await call(server, 'GET', '/api/v1/audit?action=access.denied');
    expect(denied.body.items.length).toBeGreaterThanOrEqual(3);
    expect(denied.body.items[0]).toMatchObject({ outcome: 'denied', ip: '127.0.0.1' });
  });

  it('never leaves a workspace without an admin', async () => {
    const demote = await call(server, 'PATCH', `/api/v1/members/${server.admin.userId}`, { role: 'viewer' });
    expect(demote.status).toBe(409);
    expect((await call(server, 'DELETE', `/api/v1/members/${server.admin.userId}`)).status).toBe(409);
    expect((await whoAmI(server.token)).body.role).toBe('admin');
  });
});

describe('the route table', () => {
  it('covers every route, and every route that is not public refuses a caller without a token', async () => {
    const routes = server.app.registeredRoutes;
    expect(routes.length).toBeGreaterThan(40);
    const guarded = routes.filter((route) => !('public' in route.requirement) && route.method !== 'HEAD');
    expect(guarded.length).toBeGreaterThan(35);
    for (const route of guarded) {
      const path = route.url.replace(/:(\w+)/g, (_match, name: string) =>
        name === 'version' ? '1' : `probe-${name}`,
      );
      const answer = await call(
        server,
        route.method,
        path,
        ['POST', 'PATCH'].includes(route.method) ? {} : undefined,
        {
          token: null,
        },
      );
      expect({
        route: `${route.method} ${route.url}`,
        status: answer.status,
        code: answer.body.code,
      }).toEqual({
        route: `${route.method} ${route.url}`,
        status: 401,
        code: 'SY_AUTH_REQUIRED',
      });
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const publicRoutes = routes
      .filter((route) => 'public' in route.requirement)
      .map((r) => `${r.method} ${r.url}`);
    for (const known of [
      'GET /healthz',
      'GET /readyz',
      'POST /api/v1/auth/login',
      'POST /hooks/:workflowId/*',
    ]) {
      expect(publicRoutes).toContain(known);
    }
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After past the limit, per caller', async () => {
    const limited = await startServer({}, { settings: { apiRateLimit: { max: 3, windowMs: 60_000 } } });
    try {
      const statuses: number[] = [];
      let last: Answer | undefined;
      for (let i = 0; i < 5; i++) {
        last = await call(limited, 'GET', '/api/v1/workflows');
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(last?.body.code).toBe('SY_RATE_LIMITED');
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
