/**
 * Secrets hunted everywhere over real HTTP: a credential's value, the sign-in password and every
 * bearer token are searched for in every API answer, the stored node runs and events, the audit log
 * and every log line, while a workflow sends the credential to an echo server that returns it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliServices } from '../../src/cli/services.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createNodeRegistry } from '../../src/nodes/registry.ts';
import { SecretRedactor } from '../../src/security/redact/secret-redactor.ts';
import { DEFAULT_SECURITY } from '../../src/security/settings.ts';
import { buildApp } from '../../src/server/app.ts';
import { type Composition, composeServer } from '../../src/server/compose.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/ports.ts';
import {
  ADMIN_PASSWORD,
  type Canary,
  call,
  canary,
  linear,
  runToEnd,
  type TestServer,
  testKeyRing,
} from './attack-support.ts';

const SECRET = `sk-live-ATTACK-${randomBytes(12).toString('hex')}`;
const lines: string[] = [];
let server: TestServer;
let composition: Composition;
let store: Store;
let dataDir: string;
let echo: Canary;
const services = createCliServices(createNodeRegistry());
const tokens: string[] = [];

beforeAll(async () => {
  echo = await canary('127.0.0.1', (request) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sawAuthorization: request.headers.authorization ?? null,
      sawKey: request.headers['x-api-key'] ?? null,
    }),
  }));
  dataDir = mkdtempSync(join(tmpdir(), 'switchyard-secrets-'));
  store = await openStore({ dataDir });
  const redactor = new SecretRedactor();
  const log = createLogger({
    level: 'trace',
    redactor,
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    }),
  });
  composition = composeServer({
    store,
    registry: createNodeRegistry(),
    services,
    log,
    worker: { pollMs: 20 },
    security: {
      keyRing: testKeyRing(),
      redactor,
      settings: {
        ...DEFAULT_SECURITY,
        apiRateLimit: { max: 0, windowMs: 60_000 },
        authRateLimit: { max: 0, windowMs: 60_000 },
      },
      operatorAllow: [`127.0.0.1`],
    },
  });
  const app = await buildApp(composition.deps);
  await composition.worker.start();
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const signup = await fetch(`${url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@example.com', password: ADMIN_PASSWORD }),
  });
  const session = (await signup.json()) as { accessToken: string; user: { id: string } };
  tokens.push(session.accessToken);
  server = {
    url,
    app,
    deps: composition.deps,
    token: session.accessToken,
    admin: { email: 'admin@example.com', password: ADMIN_PASSWORD, userId: session.user.id },
    close: async () => {
      await app.close();
      await composition.worker.stop();
      await composition.close();
      services.code.dispose();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
afterAll(async () => {
  await server?.close();
  await echo?.close();
});

describe('secrets never come back out', () => {
  it('a credential used against an echo server appears in no answer, stored row, audit entry or log line', async () => {
    const answers: unknown[] = [];
    const keep = async (method: string, path: string, body?: unknown) => {
      const answer = await call(server, method, path, body);
      answers.push({ path, status: answer.status, headers: [...answer.headers], body: answer.body });
      return answer;
    };
    const login = await call(
      server,
      'POST',
      '/api/v1/auth/login',
      { email: 'admin@example.com', password: ADMIN_PASSWORD },
      { token: null },
    );
    tokens.push(login.body.accessToken);
    const created = await keep('POST', '/api/v1/credentials', {
      name: 'payments',
      type: 'bearer',
      data: { token: SECRET },
    });
    expect(created.status).toBe(201);
    await keep('POST', '/api/v1/credentials', {
      name: 'hdr',
      type: 'header',
      data: { name: 'x-api-key', value: `${SECRET}-hdr` },
    });
    const key = await call(server, 'POST', '/api/v1/api-keys', { name: 'k', scopes: ['read'] });
    tokens.push(key.body.key);
    await call(server, 'GET', '/api/v1/workflows', undefined, { token: key.body.key });

    const execution = await runToEnd(
      server,
      linear('leak', [
        {
          id: 'bearer',
          type: 'http',
          params: { url: `${echo.url}/b?x=1`, credential: 'payments', auth: 'bearer' },
        },
        { id: 'header', type: 'http', params: { url: `${echo.url}/h`, credential: 'hdr', auth: 'header' } },
        {
          id: 'query',
          type: 'http',
          params: { url: `${echo.url}/q`, credential: 'payments', auth: 'query' },
        },
        {
          id: 'fails',
          type: 'http',
          params: {
            url: `${echo.url}/f`,
            credential: 'payments',
            auth: 'bearer',
            method: 'POST',
            body: { echo: '{{ $string($) }}' },
          },
        },
        { id: 'code', type: 'code', params: { source: 'console.log(JSON.stringify(input)); return input;' } },
      ]),
    );
    // The echo server did receive the secret: the request was real.
    expect(echo.hits.some((hit) => hit.headers.authorization === `Bearer ${SECRET}`)).toBe(true);
    answers.push(execution);
    for (const path of [
      `/api/v1/executions/${execution.id}`,
      `/api/v1/executions/${execution.id}/events`,
      '/api/v1/executions?limit=100',
      '/api/v1/credentials',
      `/api/v1/credentials/${created.body.id}`,
      '/api/v1/audit?limit=100',
      '/api/v1/api-keys',
      '/api/v1/workspace',
    ]) {
      await keep('GET', path);
    }
    const stored = [
      await store.nodeRuns.list(execution.id),
      await store.events.list(execution.id, 0, 1000),
      await store.executions.get(
        execution.workspaceId ?? (await call(server, 'GET', '/api/v1/auth/me')).body.workspaceId,
        execution.id,
      ),
    ];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const everything = {
      answers: JSON.stringify(answers),
      stored: JSON.stringify(stored),
      logs: lines.join('\n'),
    };
    for (const [where, text] of Object.entries(everything)) {
      expect(text.length, where).toBeGreaterThan(0);
      expect(text.includes(SECRET), `the credential value is in ${where}`).toBe(false);
      expect(text.includes(Buffer.from(SECRET).toString('base64')), `base64 secret in ${where}`).toBe(false);
    }
    for (const token of tokens) {
      expect(everything.logs.includes(token), 'a bearer token or API key is in the logs').toBe(false);
      expect(everything.stored.includes(token)).toBe(false);
    }
    expect(everything.logs.includes(ADMIN_PASSWORD), 'the password is in the logs').toBe(false);
    expect(everything.answers.includes(ADMIN_PASSWORD)).toBe(false);
  });
});
