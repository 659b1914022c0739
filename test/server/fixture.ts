/** A real server on a real port (0) over a fresh SQLite data directory, and small fetch helpers. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createCliServices } from '../../src/cli/services.ts';
import type { LlmConfig } from '../../src/llm/config/llm-config.ts';
import type { OutboundClients } from '../../src/net/outbound-clients.ts';
import { createNodeRegistry } from '../../src/nodes/registry.ts';
import { DEFAULT_SECURITY, type SecuritySettings } from '../../src/security/settings.ts';
import { KeyRing } from '../../src/security/vault/key-ring.ts';
import { buildApp } from '../../src/server/app.ts';
import { composeServer } from '../../src/server/compose.ts';
import type { ServerDeps, ServerLimits } from '../../src/server/deps.ts';
import { openStore } from '../../src/store/open-store.ts';
import { line, workflow } from '../support/workflow-shapes.ts';

export interface TestServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly deps: ServerDeps;
  /** The access token of the admin the fixture signed up; `call` sends it unless told otherwise. */
  readonly token: string;
  readonly admin: { readonly email: string; readonly password: string; readonly userId: string };
  close(): Promise<void>;
}

export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface ServerOptions {
  readonly settings?: Partial<SecuritySettings>;
  readonly keyRing?: KeyRing;
  readonly outbound?: OutboundClients;
  readonly llm?: LlmConfig;
  /** Reuse a data directory (a restart): kept on close; the admin signs in instead of up. */
  readonly dataDir?: string;
}

/** A test master key ring: one random key. */
export function testKeyRing(id = 'test'): KeyRing {
  return new KeyRing([{ id, key: randomBytes(32) }]);
}

export async function startServer(
  limits: Partial<ServerLimits> = {},
  options: ServerOptions = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'switchyard-server-'));
  const registry = createNodeRegistry();
  const services = createCliServices(registry);
  const store = await openStore({ dataDir });
  const composition = composeServer({
    store,
    registry,
    services,
    limits,
    worker: { pollMs: 50 },
    security: {
      keyRing: options.keyRing ?? testKeyRing(),
      // Tests make many calls from one address in a burst: limits are tested on their own.
      settings: {
        ...DEFAULT_SECURITY,
        apiRateLimit: { max: 0, windowMs: 60_000 },
        webhookRateLimit: { max: 0, windowMs: 60_000 },
        authRateLimit: { max: 0, windowMs: 60_000 },
        ...options.settings,
      },
      ...(options.outbound ? { outbound: options.outbound } : {}),
    },
    ...(options.llm ? { llm: options.llm } : {}),
  });
  const { deps, worker } = composition;
  const app = await buildApp(deps);
  await worker.start();
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const email = 'admin@example.com';
  const enter = (route: 'signup' | 'login') =>
    fetch(`${address}/api/v1/auth/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: ADMIN_PASSWORD }),
    });
  let signup = await enter('signup');
  // A reused data directory has its admin already: sign in.
  if (signup.status === 403 && options.dataDir) signup = await enter('login');
  const session = (await signup.json()) as { accessToken: string; user: { id: string } };
  if (signup.status >= 300) throw new Error(`fixture sign-in: ${signup.status} ${JSON.stringify(session)}`);
  return {
    url: address,
    app,
    deps,
    token: session.accessToken,
    admin: { email, password: ADMIN_PASSWORD, userId: session.user.id },
    async close() {
      await app.close();
      await worker.stop();
      await composition.close();
      services.code.dispose();
      await store.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Authorization for the fixture's admin (or the given token). */
export function authHeaders(server: TestServer, token: string = server.token): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export interface Answer {
  readonly status: number;
  readonly type: string;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field and assert on them.
  readonly body: any;
}

export async function call(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  init: { contentType?: string; raw?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const payload = init.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const token = init.token === undefined ? server.token : init.token;
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(payload === undefined ? {} : { 'content-type': init.contentType ?? 'application/json' }),
      ...init.headers,
    },
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    type,
    headers: response.headers,
    body: /json/.test(type) && text !== '' ? JSON.parse(text) : text,
  };
}

/**
 * A webhook (path `slow`) whose respond node answers "late" only after `delayMs`, then ends with
 * "finished"; its callers wait up to `timeoutMs`.
 */
export function slowHookWorkflow(timeoutMs: number, delayMs: number) {
  return workflow(
    [
      { id: 'hook', type: 'webhook', params: { path: 'slow', respond: 'node', timeoutMs } },
      { id: 'wait', type: 'delay', params: { ms: delayMs } },
      { id: 'answer', type: 'respond', params: { body: 'late' } },
      { id: 'done', type: 'end', params: { output: 'finished' } },
    ],
    line('hook', 'wait', 'answer', 'done'),
  );
}

export const hello = {
  format: 'switchyard/v1',
  name: 'hello',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'greet', type: 'set', params: { fields: { greeting: 'Hello, {{ name }}!' } } },
    { id: 'done', type: 'end', params: { output: '{{ { "message": greeting } }}' } },
  ],
  edges: [
    { from: 'start', to: 'greet' },
    { from: 'greet', to: 'done' },
  ],
};

export const slow = {
  format: 'switchyard/v1',
  name: 'slow',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'wait', type: 'delay', params: { ms: 60_000 } },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'wait' },
    { from: 'wait', to: 'done' },
  ],
};

export const failing = {
  format: 'switchyard/v1',
  name: 'failing',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'boom', type: 'fail', params: { message: 'on purpose' } },
  ],
  edges: [{ from: 'start', to: 'boom' }],
};

/** Creates a workflow and publishes its draft; returns its id. */
/** Two delays of `ms` each: long enough to connect mid-run, short enough to finish within a test. */
export function paced(ms: number) {
  return {
    format: 'switchyard/v1',
    name: 'paced',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'first', type: 'delay', params: { ms } },
      { id: 'second', type: 'delay', params: { ms } },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'first' },
      { from: 'first', to: 'second' },
      { from: 'second', to: 'done' },
    ],
  };
}

/** Starts an execution through the API (waiting for its outcome when `wait`); returns its id. */
export async function startExecution(server: TestServer, workflowId: string, wait = false): Promise<string> {
  const started = await call(
    server,
    'POST',
    `/api/v1/workflows/${workflowId}/executions${wait ? '?wait=true' : ''}`,
    {},
  );
  if (started.status !== (wait ? 200 : 202))
    throw new Error(`start answered ${started.status}: ${JSON.stringify(started.body)}`);
  return started.body.id;
}

export async function published(server: TestServer, definition: unknown, id?: string): Promise<string> {
  const created = await call(server, 'POST', '/api/v1/workflows', { definition, ...(id ? { id } : {}) });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const version = await call(server, 'POST', `/api/v1/workflows/${created.body.id}/versions`, {});
  if (version.status !== 201) throw new Error(`publish: ${version.status} ${JSON.stringify(version.body)}`);
  return created.body.id;
}

export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
