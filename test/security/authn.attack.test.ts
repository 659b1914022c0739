/**
 * Attacks on authentication over real HTTP: every route without (or with a broken) credential,
 * forged JWTs of every classic kind, signed-out sessions, refresh-token reuse, revoked and expired
 * API keys, password guessing and the API rate limit. Each refusal is a 401/403/429 problem with no
 * data, and nothing changes behind it.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, newApiKey } from '../../src/security/auth/opaque-tokens.ts';
import { ROUTE_REQUIREMENTS } from '../../src/server/auth/route-permissions.ts';
import {
  AUTH_CODES,
  b64,
  call,
  claimsOf,
  expectRefused,
  forge,
  hello,
  memberToken,
  published,
  STRONG_PASSWORD,
  startServer,
  type TestServer,
  testKeyRing,
} from './attack-support.ts';

const ring = testKeyRing('attack');
let server: TestServer;
let workflowId: string;

beforeAll(async () => {
  server = await startServer({}, { keyRing: ring });
  workflowId = await published(server, hello);
});
afterAll(async () => server?.close());

/** Every protected route of the table, its params filled with plausible ids. */
function protectedRoutes(): { method: string; path: string }[] {
  return Object.entries(ROUTE_REQUIREMENTS)
    .filter(([, requirement]) => !('public' in requirement))
    .map(([key]) => {
      const [method = '', pattern = ''] = key.split(' ');
      const path = pattern
        .replace(':version', '1')
        .replace(':userId', server.admin.userId)
        .replace(':id', workflowId)
        .replace(':workflowId', workflowId);
      return { method, path };
    });
}

async function workflowUnchanged(): Promise<void> {
  const got = await call(server, 'GET', `/api/v1/workflows/${workflowId}`);
  expect(got.status).toBe(200);
  expect(got.body.name).toBe('hello');
}

describe('every protected route refuses a missing or broken credential', () => {
  it('the walk covers every route the running app has', () => {
    const routes = protectedRoutes();
    expect(routes.length).toBeGreaterThan(40);
    for (const key of Object.keys(ROUTE_REQUIREMENTS)) {
      const [method = '', url = ''] = key.split(' ');
      expect(server.app.hasRoute({ method: method as 'GET', url }), key).toBe(true);
    }
    // And the running app has no route outside the table (the fixture started, so none was refused).
    expect(server.app.printRoutes()).toContain('executions');
  });

  it.each([
    ['no Authorization header', null, {}],
    ['a garbage bearer', 'garbage', {}],
    ['an empty bearer', null, { authorization: 'Bearer ' }],
    [
      'Basic credentials',
      null,
      { authorization: `Basic ${Buffer.from('admin@example.com:x').toString('base64')}` },
    ],
    ['a bearer that looks like an API key', `sy_key_aaaaaaaaaaaaaaaa_${'a'.repeat(42)}A`, {}],
    ['two bearers', null, { authorization: `Bearer x, Bearer y` }],
  ] as const)('%s → 401 on every route', async (_label, token, headers) => {
    for (const { method, path } of protectedRoutes()) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      const answer = await call(server, method, path, body, { token, headers: { ...headers } });
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.type, `${method} ${path}`).toMatch(/problem\+json/);
      expect(AUTH_CODES, `${method} ${path}: ${answer.body.code}`).toContain(answer.body.code);
      expect(answer.headers.get('www-authenticate'), `${method} ${path}`).toMatch(/^Bearer/);
      expect(JSON.stringify(answer.body)).not.toContain('"items"');
    }
    await workflowUnchanged();
  });
});

describe('forged access tokens', () => {
  const real = () => claimsOf(server.token);

  const forgeries: [string, () => Promise<string>][] = [
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({ ...real(), exp: 4e9, iss: 'switchyard', aud: 'switchyard-api' })}.`,
    ],
    ['HS512 with the right secret', () => forge(ring, real(), { alg: 'HS512' })],
    ['HS384 with the right secret', () => forge(ring, real(), { alg: 'HS384' })],
    [
      'RS256 with a key of its own',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT({ ws: real().ws, sid: real().sid })
          .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt' })
          .setSubject(real().sub)
          .setIssuer('switchyard')
          .setAudience('switchyard-api')
          .setIssuedAt()
          .setExpirationTime('10m')
          .setJti('x')
          .sign(privateKey);
      },
    ],
    ['another secret', () => forge(ring, real(), { secret: new Uint8Array(32).fill(7) })],
    ['the raw master key as secret', () => forge(ring, real(), { secret: ring.current.key })],
    ['a wrong issuer', () => forge(ring, real(), { issuer: 'evil' })],
    ['a wrong audience', () => forge(ring, real(), { audience: 'other-api' })],
    ['a wrong typ', () => forge(ring, real(), { header: { typ: 'JWT' } })],
    [
      'an expired token',
      () =>
        forge(ring, real(), {
          issuedAt: Math.floor(Date.now() / 1000) - 7200,
          expiresAt: Math.floor(Date.now() / 1000) - 3600,
        }),
    ],
    [
      'a tampered payload (ws changed, signature kept)',
      async () => {
        const [header, , signature] = server.token.split('.');
        return `${header}.${b64({ ...real(), ws: 'other-ws', iss: 'switchyard', aud: 'switchyard-api', exp: 4e9, iat: 1, jti: 'j' })}.${signature}`;
      },
    ],
    [
      'kid / jku header injection with an attacker key',
      () =>
        forge(ring, real(), {
          header: { kid: '../../../../dev/null', jku: 'http://127.0.0.1:1/jwks.json' },
          secret: new Uint8Array(32),
        }),
    ],
    [
      'a valid signature on another workspace',
      () => forge(ring, { ...real(), ws: 'someone-elses-workspace' }),
    ],
    ['a valid signature on an unknown user', () => forge(ring, { ...real(), sub: 'no-such-user' })],
    ['claims of the wrong type', () => forge(ring, real(), { claims: { ws: ['default'] } })],
    ['a token of 5000 characters', async () => `${'a'.repeat(5000)}.b.c`],
  ];

  it.each(forgeries)('%s → 401', async (_label, make) => {
    const token = await make();
    for (const [method, path, body] of [
      ['GET', '/api/v1/workflows', undefined],
      ['GET', '/api/v1/auth/me', undefined],
      ['POST', `/api/v1/workflows/${workflowId}/executions`, {}],
      ['DELETE', `/api/v1/workflows/${workflowId}`, undefined],
    ] as const) {
      expectRefused(await call(server, method, path, body, { token }), 401, AUTH_CODES);
    }
    await workflowUnchanged();
    const executions = await call(server, 'GET', '/api/v1/executions');
    expect(executions.body.items).toHaveLength(0);
  });

  it('the control: a token forged with the real secret and claims is accepted (so the refusals above are for the reason named)', async () => {
    const answer = await call(server, 'GET', '/api/v1/auth/me', undefined, {
      token: await forge(ring, real()),
    });
    expect(answer.status).toBe(200);
  });
});

describe('ended sessions and keys', () => {
  it('an access token stops working once its session is signed out', async () => {
    const { token } = await memberToken(server, 'leaver@example.com', 'editor');
    expect((await call(server, 'GET', '/api/v1/auth/me', undefined, { token })).status).toBe(200);
    const out = await call(server, 'POST', '/api/v1/auth/logout', undefined, { token });
    expect(out.status).toBe(204);
    expectRefused(await call(server, 'GET', '/api/v1/workflows', undefined, { token }), 401, AUTH_CODES);
    expectRefused(
      await call(server, 'POST', '/api/v1/workflows', { definition: hello }, { token }),
      401,
      AUTH_CODES,
    );
  });

  it('a refresh token used twice ends the whole family; without the CSRF header it is refused', async () => {
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: server.admin.email, password: server.admin.password }),
    });
    expect(login.status).toBe(200);
    const session = (await login.json()) as { accessToken: string };
    const cookies = cookieJar(login.headers.getSetCookie());
    const refresh = (jar: Record<string, string>, csrf: string | null = jar.sy_csrf ?? null) =>
      fetch(`${server.url}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: {
          cookie: `sy_refresh=${jar.sy_refresh}; sy_csrf=${jar.sy_csrf}`,
          ...(csrf === null ? {} : { 'x-csrf-token': csrf }),
        },
      });

    const noCsrf = await refresh(cookies, null);
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { code: string }).code).toBe('SY_AUTH_CSRF');
    const wrongCsrf = await refresh(cookies, 'not-the-cookie');
    expect(wrongCsrf.status).toBe(403);

    const first = await refresh(cookies);
    expect(first.status).toBe(200);
    const rotated = cookieJar(first.headers.getSetCookie());
    expect(rotated.sy_refresh).toBeDefined();
    expect(rotated.sy_refresh).not.toBe(cookies.sy_refresh);

    const reuse = await refresh(cookies);
    expect(reuse.status).toBe(401);
    const reuseBody = (await reuse.json()) as Record<string, unknown>;
    expect(reuseBody.accessToken).toBeUndefined();
    // Reuse is theft: the rotated token of the same family is dead too, and so is its access token.
    const afterTheft = await refresh(rotated);
    expect(afterTheft.status).toBe(401);
    expectRefused(
      await call(server, 'GET', '/api/v1/workflows', undefined, { token: session.accessToken }),
      401,
      AUTH_CODES,
    );
    // The fixture's own session is another family and lives on.
    expect((await call(server, 'GET', '/api/v1/workflows')).status).toBe(200);
  });

  it('a revoked API key and an expired API key → 401', async () => {
    const made = await call(server, 'POST', '/api/v1/api-keys', { name: 'doomed', scopes: ['read', 'run'] });
    expect(made.status).toBe(201);
    const key: string = made.body.key;
    expect((await call(server, 'GET', '/api/v1/workflows', undefined, { token: key })).status).toBe(200);
    expect((await call(server, 'DELETE', `/api/v1/api-keys/${made.body.id}`)).status).toBe(204);
    expectRefused(await call(server, 'GET', '/api/v1/workflows', undefined, { token: key }), 401, AUTH_CODES);
    expectRefused(
      await call(server, 'POST', `/api/v1/workflows/${workflowId}/executions`, {}, { token: key }),
      401,
      AUTH_CODES,
    );

    // Expiry cannot be waited for: the key row is written with a past expiry (setup, not the attack).
    const expired = newApiKey();
    const me = claimsOf(server.token);
    await server.deps.store.apiKeys.create({
      id: expired.id,
      workspaceId: me.ws,
      userId: me.sub,
      name: 'expired',
      prefix: expired.prefix,
      hash: hashToken(expired.token),
      scopes: ['read', 'run'],
      createdAt: Date.now() - 2 * 86_400_000,
      expiresAt: Date.now() - 86_400_000,
    });
    const answer = await call(server, 'GET', '/api/v1/workflows', undefined, { token: expired.token });
    expectRefused(answer, 401, ['SY_AUTH_TOKEN_EXPIRED']);
    // A key whose secret part is altered (same id) is unknown.
    const altered = `${expired.token.slice(0, -4)}AAAA`;
    expectRefused(
      await call(server, 'GET', '/api/v1/workflows', undefined, { token: altered }),
      401,
      AUTH_CODES,
    );
    expect(await call(server, 'GET', '/api/v1/executions').then((a) => a.body.items.length)).toBe(0);
  });
});

describe('password guessing', () => {
  it('unknown account and wrong password look the same; 5 failures lock the account, even for the right password', async () => {
    await memberToken(server, 'victim@example.com', 'viewer');
    const login = (email: string, password: string) =>
      call(server, 'POST', '/api/v1/auth/login', { email, password }, { token: null });
    const unknown = await login('nobody@example.com', 'whatever at all');
    const wrong = await login('victim@example.com', 'wrong guess one');
    expectRefused(unknown, 401, ['SY_AUTH_BAD_CREDENTIALS']);
    expectRefused(wrong, 401, ['SY_AUTH_BAD_CREDENTIALS']);
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expect(unknown.body.title).toBe(wrong.body.title);
    for (let i = 0; i < 4; i++) await login('victim@example.com', `wrong guess ${i + 2}`);
    const locked = await login('victim@example.com', STRONG_PASSWORD);
    expectRefused(locked, 429, ['SY_AUTH_LOCKED']);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body.accessToken).toBeUndefined();
    expect(locked.headers.getSetCookie()).toEqual([]);
    const audit = await call(server, 'GET', '/api/v1/audit?action=auth.lockout');
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBeGreaterThanOrEqual(1);
    expect(audit.body.items[0].detail.email).toBe('victim@example.com');
  });
});

describe('rate limits', () => {
  it('the sixth API call in the window → 429 SY_RATE_LIMITED with Retry-After', async () => {
    const limited = await startServer({}, { settings: { apiRateLimit: { max: 5, windowMs: 60_000 } } });
    try {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await call(limited, 'GET', '/api/v1/workflows'));
      expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      const sixth = answers[5]!;
      expectRefused(sixth, 429, ['SY_RATE_LIMITED']);
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
      // A spoofed X-Forwarded-For does not buy a fresh budget.
      const spoofed = await call(limited, 'GET', '/api/v1/workflows', undefined, {
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      expectRefused(spoofed, 429, ['SY_RATE_LIMITED']);
    } finally {
      await limited.close();
    }
  });
});

function cookieJar(setCookies: readonly string[]): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const line of setCookies) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    const value = pair.slice(at + 1);
    if (value !== '') jar[pair.slice(0, at)] = value;
  }
  return jar;
}
