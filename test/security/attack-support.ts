/**
 * Shared tools for the attack suite: second tenants, members of each role, forged tokens, canary
 * servers that record every request they get, and assertions that a refusal leaks nothing.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { expect } from 'vitest';
import { deriveTokenSecret } from '../../src/security/auth/access-tokens.ts';
import type { KeyRing } from '../../src/security/vault/key-ring.ts';
import { type Answer, call, published, type TestServer, until } from '../server/fixture.ts';

export * from '../server/fixture.ts';

export const STRONG_PASSWORD = 'purple elephant dances quietly 42';

/** Signs up another account (needs `signup: 'open'`); it gets a workspace of its own, as admin. */
export async function signUpTenant(
  server: TestServer,
  email: string,
): Promise<{ token: string; userId: string; workspaceId: string }> {
  const answer = await call(
    server,
    'POST',
    '/api/v1/auth/signup',
    { email, password: STRONG_PASSWORD, name: email.split('@')[0] },
    { token: null },
  );
  if (answer.status !== 201)
    throw new Error(`sign-up ${email}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return {
    token: answer.body.accessToken,
    userId: answer.body.user.id,
    workspaceId: answer.body.workspaceId,
  };
}

/** Adds a member with `role` to the admin's workspace and signs them in; returns their token. */
export async function memberToken(
  server: TestServer,
  email: string,
  role: 'viewer' | 'editor' | 'admin',
  adminToken: string = server.token,
): Promise<{ token: string; userId: string }> {
  const added = await call(
    server,
    'POST',
    '/api/v1/members',
    { email, role, password: STRONG_PASSWORD },
    { token: adminToken },
  );
  if (added.status !== 201) throw new Error(`add member: ${added.status} ${JSON.stringify(added.body)}`);
  const login = await call(
    server,
    'POST',
    '/api/v1/auth/login',
    { email, password: STRONG_PASSWORD },
    { token: null },
  );
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  return { token: login.body.accessToken, userId: added.body.userId };
}

/** A refusal: the status, a problem+json body with one of the codes, and no resource data in it. */
export function expectRefused(answer: Answer, status: number, codes: readonly string[]): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.type).toMatch(/application\/problem\+json/);
  expect(codes).toContain(answer.body.code);
  for (const field of [
    'items',
    'definition',
    'nodeRuns',
    'accessToken',
    'key',
    'output',
    'input',
    'fields',
  ]) {
    expect(answer.body, `a refusal carries no "${field}"`).not.toHaveProperty(field);
  }
}

export const AUTH_CODES = ['SY_AUTH_REQUIRED', 'SY_AUTH_INVALID_TOKEN', 'SY_AUTH_TOKEN_EXPIRED'] as const;

export interface ForgeOptions {
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
  readonly secret?: Uint8Array;
  readonly alg?: 'HS256' | 'HS384' | 'HS512';
  readonly issuedAt?: number;
  readonly expiresAt?: number;
  readonly issuer?: string;
  readonly audience?: string;
}

/** An access token signed with the server's real secret (from its key ring) unless told otherwise. */
export async function forge(
  ring: KeyRing,
  base: { sub: string; ws: string; sid: string },
  o: ForgeOptions = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const alg = o.alg ?? 'HS256';
  return new SignJWT({ ws: base.ws, sid: base.sid, ...o.claims })
    .setProtectedHeader({ alg, typ: 'at+jwt', ...o.header })
    .setSubject(base.sub)
    .setIssuer(o.issuer ?? 'switchyard')
    .setAudience(o.audience ?? 'switchyard-api')
    .setIssuedAt(o.issuedAt ?? now)
    .setExpirationTime(o.expiresAt ?? now + 600)
    .setJti(randomBytes(8).toString('base64url'))
    .sign(o.secret ?? deriveTokenSecret(ring.current.key));
}

/** The claims of a real token (no verification: we only read our own). */
export function claimsOf(token: string): { sub: string; ws: string; sid: string } {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

export const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface Canary {
  readonly port: number;
  readonly url: string;
  readonly hits: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

/**
 * A server that records every request. `respond` decides the answer (default: 200 "canary"); it
 * listens on `host` (127.0.0.1, or another loopback address such as 127.0.0.2).
 */
export async function canary(
  host = '127.0.0.1',
  respond?: (
    request: IncomingMessage,
    body: string,
  ) => { status: number; headers?: Record<string, string>; body?: string },
): Promise<Canary> {
  const hits: Canary['hits'] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      hits.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const answer = respond?.(request, body) ?? { status: 200, body: 'canary' };
      response.writeHead(answer.status, answer.headers ?? { 'content-type': 'text/plain' });
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${host}:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function linear(name: string, nodes: { id: string; type: string; params?: unknown }[]) {
  const all = [{ id: 'start', type: 'start' }, ...nodes, { id: 'done', type: 'end' }];
  return {
    format: 'switchyard/v1',
    name,
    nodes: all,
    edges: all.slice(1).map((node, index) => ({ from: all[index]!.id, to: node.id })),
  };
}

/** Publishes `definition`, runs it with `input` and waits; answers the execution as GET returns it. */
export async function runToEnd(
  server: TestServer,
  definition: unknown,
  input: unknown = {},
  token: string = server.token,
): Promise<Answer['body']> {
  const id = await published({ ...server, token }, definition);
  const started = await call(
    server,
    'POST',
    `/api/v1/workflows/${id}/executions?wait=true`,
    { input },
    { token },
  );
  if (started.status !== 200 && started.status !== 202) {
    throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
  }
  const executionId: string = started.body.id;
  return until(async () => {
    const got = await call(server, 'GET', `/api/v1/executions/${executionId}`, undefined, { token });
    return got.body.status === 'succeeded' || got.body.status === 'failed' || got.body.status === 'cancelled'
      ? got.body
      : undefined;
  }, 15_000);
}

/** Every execution of the caller's workspace. */
export async function executionCount(server: TestServer, token: string = server.token): Promise<number> {
  const list = await call(server, 'GET', '/api/v1/executions?limit=100', undefined, { token });
  return list.body.items.length;
}

/** The error code of a failed execution: its own, or the first failed node run's. */
export function failureCode(execution: Answer['body']): string | undefined {
  const run = (execution.nodeRuns ?? []).find((r: { error: unknown }) => r.error);
  return execution.error?.code ?? run?.error?.code;
}
